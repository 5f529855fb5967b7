# What admins combine ExoKit with, in a real pwsh: tab completion, ForEach-Object -Parallel after
# one connect, Select-Object -First, ConvertTo-Json, -ErrorAction Stop. (New with the move to
# Pester; per-runspace connections, completion of -Permission/-Role and the 80-column views are
# issue 20's tests: Isolation.Tests.ps1 and its files.)

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:Sandbox = Start-TestSandbox
    Connect-TestSandbox $script:Sandbox
}

AfterAll {
    Stop-TestSandbox $script:Sandbox
}

Describe 'Habits' {
    It 'TabExpansion2 completes cmdlet names and Connect-ExoKit parameters' {
        $line = 'Get-ExchangeAppRole'
        $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $names | Should -Contain 'Get-ExchangeAppRoleDefinition'
        $names | Should -Contain 'Get-ExchangeAppRoleAssignment'
        $line = 'Connect-ExoKit -Certificate'
        $parameters = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        foreach ($p in '-CertificatePath', '-CertificatePassword', '-CertificateThumbprint') { $parameters | Should -Contain $p }
    }

    It 'connect once, then ForEach-Object -Parallel: every runspace reaches the tenant' {
        $manifest = (Get-TestPath).Module
        $counts = 1..3 | ForEach-Object -ThrottleLimit 3 -Parallel {
            Import-Module $using:manifest
            @(Get-ExchangeAppRoleDefinition).Count
        }
        $counts | Should -Be @(14, 14, 14)
    }

    It 'Select-Object -First stops the pipeline early without an error' {
        $first = Get-ExchangeAppRoleDefinition -ErrorVariable failed | Select-Object -First 1
        @($first).Count | Should -Be 1
        $failed | Should -BeNullOrEmpty
        $first.PSObject.TypeNames[0] | Should -Be 'ExoKit.RoleDefinition'
        # The session is fine afterwards.
        @(Get-ExchangeAppRoleDefinition).Count | Should -Be 14
    }

    It 'ConvertTo-Json and back keeps ids and permissions' {
        $roles = Get-ExchangeAppRoleDefinition
        $back = $roles | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $back | Should -HaveCount 14
        ($back | Where-Object DisplayName -EQ 'Application Contacts.ReadWrite').Id | Should -Be '265cabb3-13d9-4e05-b2cd-460cfa7ad3cc'
        @(($back | Where-Object DisplayName -EQ 'Application Contacts.ReadWrite').Permissions) | Should -Be @('Contacts.ReadWrite')
    }

    It '-ErrorAction Stop makes a failure catchable with its ExoKit id' {
        Connect-TestSandbox $script:Sandbox -AppId (Get-TestDemo).NoRolesAppId -Secret (Get-TestDemo).NoRolesSecret
        try {
            $caught = try { Get-ExchangeAppRoleDefinition -ErrorAction Stop; $null } catch { $_ }
            $caught | Should -Not -BeNullOrEmpty
            $caught.FullyQualifiedErrorId | Should -BeLike 'ExoKit.Service.Authorization_RequestDenied,*'
        } finally {
            Connect-TestSandbox $script:Sandbox
        }
    }
}
