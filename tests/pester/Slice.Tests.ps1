# The first slice through every layer: cmdlet → generated binding → ffi → Graph client →
# transport → sandbox; and Ctrl+C (a pipeline stopped from another thread) during a slow call.
# (Ported from SliceTests.cs and StopTests.cs.)

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:Sandbox = Start-TestSandbox
    $script:Demo = Get-TestDemo
}

AfterAll {
    Stop-TestSandbox $script:Sandbox
}

Describe 'Connecting and the context' {
    It 'Connect-ExoKit writes nothing, then Get-ExoKitContext describes the connection' {
        $connected = Invoke-Captured { Connect-TestSandbox $script:Sandbox }
        Assert-Succeeded $connected
        $connected.Output | Should -BeNullOrEmpty

        $context = @(Get-ExoKitContext)
        $context | Should -HaveCount 1
        $ctx = $context[0]
        $ctx.PSObject.TypeNames[0] | Should -Be 'ExoKit.ExoKitContext'
        $ctx.TenantId | Should -Be $script:Demo.Tenant
        $ctx.ClientId | Should -Be $script:Demo.AppId
        $ctx.AuthType | Should -Be 'ClientSecret'
        $ctx.Environment | Should -Be 'Custom'
        $ctx.GraphEndpoint | Should -BeLike "$($script:Sandbox.BaseUrl)*"
        $ctx.TokenExpiresOn | Should -Not -BeNullOrEmpty
        # (Today's ExchangeEndpoint default for a custom cloud, https://outlook.office365.com/, is
        # issue 20's item 4 and asserted there, not here.)

        $custom = Connect-TestSandbox $script:Sandbox -Extra @{ ExchangeEndpoint = "$($script:Sandbox.BaseUrl)/outlook.office365.com/"; PassThru = $true }
        @($custom).Count | Should -Be 1
        $custom.ExchangeEndpoint | Should -Be "$($script:Sandbox.BaseUrl)/outlook.office365.com/"
    }

    It 'Connect-ExoKit -PassThru writes the context, and ConvertTo-Json shows no secret' {
        $context = Connect-TestSandbox $script:Sandbox -Extra @{ PassThru = $true }
        @($context).Count | Should -Be 1
        $context.TenantId | Should -Be $script:Demo.Tenant
        $json = $context | ConvertTo-Json
        ($json | ConvertFrom-Json).ClientId | Should -Be $script:Demo.AppId
        $json | Should -Not -BeLike "*$($script:Demo.Secret)*"
    }
}

Describe 'Role definitions' {
    BeforeAll { Connect-TestSandbox $script:Sandbox }

    It 'are typed objects with progress and a table view' {
        $ps = [powershell]::Create()
        try {
            [void]$ps.AddScript("Import-Module '$((Get-TestPath).Module)'; Get-ExchangeAppRoleDefinition")
            $roles = $ps.Invoke()
            $ps.HadErrors | Should -BeFalse
            $roles | Should -HaveCount 14
            $roles | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ExoKit.RoleDefinition' }
            $ps.Streams.Progress.Activity | Should -Contain 'Get-ExchangeAppRoleDefinition'
        } finally {
            $ps.Dispose()
        }

        $table = Get-ExchangeAppRoleDefinition | Where-Object AllowedPrincipalTypes -EQ servicePrincipal | Out-String -Width 120
        $lines = $table -split "`r?`n"
        $lines | Where-Object { $_ -like 'DisplayName*' -and $_ -match '\sId(\s|$)' -and $_ -like '*Permissions*' } | Should -Not -BeNullOrEmpty -Because $table
        $lines | Where-Object { $_ -like 'Application Calendars.Read *' -and $_ -like '*a3123d4e-4256-4ad0-bef0-205a00807fae*' } | Should -Not -BeNullOrEmpty -Because $table
        $lines | Where-Object { $_ -like 'Address Lists*' } | Should -BeNullOrEmpty
    }

    It 'Sort-Object, Select-Object -First and Group-Object work on them' {
        $roles = Get-ExchangeAppRoleDefinition
        $first = $roles | Sort-Object DisplayName | Select-Object -First 2
        $first | Should -HaveCount 2
        $first[0].DisplayName | Should -BeLessOrEqual $first[1].DisplayName
        $groups = $roles | Group-Object AllowedPrincipalTypes
        ($groups | Measure-Object Count -Sum).Sum | Should -Be 14
        $groups.Name | Should -Contain 'servicePrincipal'
    }

    It '-Filter is sent to Graph as an OData filter' {
        Clear-SandboxRequest $script:Sandbox
        $role = @(Get-ExchangeAppRoleDefinition -Filter "displayName eq 'Application Contacts.ReadWrite'")
        $role | Should -HaveCount 1
        $role[0].Id | Should -Be '265cabb3-13d9-4e05-b2cd-460cfa7ad3cc'
        @($role[0].Permissions) | Should -Be @('Contacts.ReadWrite')
        Get-SandboxRequest $script:Sandbox | Where-Object { $_ -like 'GET /beta/roleManagement/exchange/roleDefinitions?%24filter=displayName* 200' } |
            Should -Not -BeNullOrEmpty
    }

    It '-Verbose names each request' {
        $verbose = Get-ExchangeAppRoleDefinition -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message
        $verbose | Where-Object { $_.StartsWith("GET $($script:Sandbox.BaseUrl)/beta/roleManagement/exchange/roleDefinitions -> 200") } | Should -Not -BeNullOrEmpty
    }
}

Describe 'Not connected, and permissions' {
    It 'after Disconnect-ExoKit any command says not connected, and a second disconnect warns' {
        Connect-TestSandbox $script:Sandbox
        Disconnect-ExoKit
        $record = { Get-ExchangeAppRoleDefinition } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -Be 'ExoKit.NotConnected,ExoKit.GetExchangeAppRoleDefinition'
        $record.Exception.Message | Should -BeLike '*Connect-ExoKit*'
        Disconnect-ExoKit -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings.Message | Should -Contain 'ExoKit was not connected.'
    }

    It 'a missing Graph permission is a permission error' {
        Connect-TestSandbox $script:Sandbox -AppId $script:Demo.NoRolesAppId -Secret $script:Demo.NoRolesSecret
        $record = { Get-ExchangeAppRoleDefinition } | Should -Throw -PassThru
        Assert-ErrorRecord $record -ErrorId 'ExoKit.Service.Authorization_RequestDenied' -Category 'PermissionDenied'
        $record.Exception.Message | Should -BeLike '*Insufficient privileges*'
    }
}

Describe 'Stopping (Ctrl+C)' {
    BeforeAll {
        # Starts Get-ExchangeAppRoleDefinition in a runspace of this process against a sandbox
        # answering in 20 s, stops it from here after 0.5 s: how long Stop() took, the final state.
        function Stop-SlowCall {
            param($Runspace)
            Connect-TestSandbox $script:Sandbox
            Set-SandboxLatency $script:Sandbox -Milliseconds 20000
            $ps = [powershell]::Create()
            try {
                $ps.Runspace = $Runspace
                [void]$ps.AddScript('Get-ExchangeAppRoleDefinition')
                $running = $ps.BeginInvoke()
                Start-Sleep -Milliseconds 500
                $ps.InvocationStateInfo.State | Should -Be 'Running'
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $clock.Stop()
                $thrown = try { $ps.EndInvoke($running); $null } catch { $_.Exception.InnerException }
                $thrown | Should -BeOfType ([Management.Automation.PipelineStoppedException])
                [pscustomobject]@{ Took = $clock.Elapsed; State = $ps.InvocationStateInfo.State }
            } finally {
                $ps.Dispose()
                Set-SandboxLatency $script:Sandbox -Milliseconds 0
            }
        }
        $script:Runspace = [runspacefactory]::CreateRunspace()
        $script:Runspace.Open()
        $ps = [powershell]::Create(); $ps.Runspace = $script:Runspace
        [void]$ps.AddScript("Import-Module '$((Get-TestPath).Module)'").Invoke(); $ps.Dispose()
    }
    AfterAll { $script:Runspace.Dispose() }

    It 'Stop during a slow call returns within a second' {
        $stopped = Stop-SlowCall $script:Runspace
        $stopped.Took.TotalMilliseconds | Should -BeLessThan 1000
        $stopped.State | Should -Be 'Stopped'
    }

    It 'the runspace is usable after a stop' {
        Stop-SlowCall $script:Runspace | Out-Null
        $ps = [powershell]::Create()
        try {
            $ps.Runspace = $script:Runspace
            $roles = $ps.AddScript('Get-ExchangeAppRoleDefinition').Invoke()
            $ps.HadErrors | Should -BeFalse
            $roles | Should -HaveCount 14
        } finally { $ps.Dispose() }
    }
}
