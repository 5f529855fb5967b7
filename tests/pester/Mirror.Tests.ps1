# Invoke-ContactMirror, its state file and the shipped Automation-ContactsMirroring.ps1 through
# every layer: pwsh → module → native library → HTTP → a sandbox with users and contacts. Each
# test gets a tenant (a sandbox and a state file) of its own.
# (Ported from MirrorTests.cs and MirrorStateTests.cs.)

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:M = Get-MirrorTenantInfo
    $script:Demo = Get-TestDemo
    function Test-IsWrite { param($Tenant) Get-SandboxWrite $Tenant.Sandbox }
}

Describe 'Invoke-ContactMirror' {
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'a first run writes one summary per step and a second run writes nothing' {
        $script:Tenant = New-MirrorTenant -NoHubFolder
        Connect-TestSandbox $script:Tenant.Sandbox
        $first = Invoke-Captured { Invoke-ContactMirror -SharedMailbox $script:M.HubUpn }
        Assert-Succeeded $first
        $first.Output.Step | Should -Be @('Collect', 'Distribute')
        $first.Output | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ExoKit.MirrorSummary' }
        $first.Output[0].Created | Should -Be 3
        $first.Output[1].Created | Should -Be 3
        $first.Output[0].Requests | Should -BeGreaterThan 0
        Get-SandboxWrite $script:Tenant.Sandbox | Where-Object { $_.StartsWith("POST /v1.0/users/$($script:M.HubId)/contactFolders ") } | Should -Not -BeNullOrEmpty

        Clear-SandboxRequest $script:Tenant.Sandbox
        $second = Invoke-Captured { Invoke-ContactMirror -SharedMailbox $script:M.HubUpn }
        Assert-Succeeded $second
        Get-SandboxWrite $script:Tenant.Sandbox | Should -BeNullOrEmpty
        $table = $second.Output | Format-Table | Out-String -Width 120
        $table | Should -BeLike '*Distribute*'
        $table | Should -BeLike '*Requests*'
        $narrow = $second.Output | Format-Table | Out-String -Width 80
        $narrow | Should -BeLike '*Collect*'
        $narrow | Should -BeLike '*Distribute*'
        $second.Output | Export-Csv -LiteralPath ($csv = New-TestTempPath -Extension '.csv')
        try {
            $rows = Import-Csv -LiteralPath $csv
            $rows.Step | Should -Be @('Collect', 'Distribute')
            $rows | ForEach-Object { [int]$_.Created | Should -Be 0 }
        } finally { Remove-Item -LiteralPath $csv }
    }

    It '-WhatIf writes nothing and writes one object per planned action' {
        $script:Tenant = New-MirrorTenant -NoHubFolder
        Connect-TestSandbox $script:Tenant.Sandbox
        Clear-SandboxRequest $script:Tenant.Sandbox
        $result = Invoke-Captured -HostText { Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -WhatIf }
        Assert-Succeeded $result
        Get-SandboxWrite $script:Tenant.Sandbox | Should -BeNullOrEmpty
        $actions = $result.Output | Where-Object { $_.PSObject.TypeNames[0] -eq 'ExoKit.MirrorAction' }
        # Three creates into the hub; each user would get the one contact it lacks and keeps its own.
        $byOutcome = $actions | Group-Object Outcome -AsHashTable -AsString
        $byOutcome['WhatIf'] | Should -HaveCount 6
        $byOutcome['Skipped'] | Should -HaveCount 3
        $result.Host -split "`r?`n" | Where-Object { $_.StartsWith('What if: Performing the operation') } | Should -Not -BeNullOrEmpty
    }

    It 'takes users from the pipeline by UserPrincipalName' {
        $script:Tenant = New-MirrorTenant
        Connect-TestSandbox $script:Tenant.Sandbox
        $result = Invoke-Captured { [pscustomobject]@{ UserPrincipalName = (Get-MirrorUpn 1) } | Invoke-ContactMirror -SharedMailbox $script:M.HubId -PassThru }
        Assert-Succeeded $result
        $created = $result.Output | Where-Object { $_.PSObject.TypeNames[0] -eq 'ExoKit.MirrorAction' -and $_.Step -eq 'Collect' }
        @($created.Email) | Should -Be @('cy@fabrikam.com')
    }
}

Describe 'The state file' {
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'Get-ContactMirrorState lists one object per mailbox folder after a run, and a steady run reads by delta' {
        $script:Tenant = New-MirrorTenant
        Connect-TestSandbox $script:Tenant.Sandbox
        $path = New-TestStatePath
        try {
            foreach ($run in 1..2) { Assert-Succeeded (Invoke-Captured { Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -StatePath $path }) }
            Clear-SandboxRequest $script:Tenant.Sandbox
            Assert-Succeeded (Invoke-Captured { Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -StatePath $path })
            $graph = @(Get-SandboxRequest $script:Tenant.Sandbox | Where-Object { $_ -notlike '*/oauth2/*' })
            $graph.Count | Should -BeLessOrEqual (2 + 3) -Because ($graph -join "`n")
            @($graph | Where-Object { $_ -like '*/contacts/delta*' }) | Should -HaveCount 3

            $state = Invoke-Captured { Get-ContactMirrorState -StatePath $path }
            Assert-Succeeded $state
            $state.Output | Should -HaveCount 3
            $state.Output | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ExoKit.MirrorState' }
            $hub = @($state.Output | Where-Object MailboxId -EQ $script:M.HubId)
            $hub | Should -HaveCount 1
            $hub[0].Folder | Should -Be 'Shared folder'
            $hub[0].Contacts | Should -Be 3
            $hub[0].SyncedContacts | Should -Be 3
            $state.Output | ForEach-Object { $_.LastRunFinished | Should -Not -BeNullOrEmpty }
            ($state.Output | Sort-Object MailboxId | Select-Object -First 1).MailboxId | Should -Be (Get-MirrorUserId 0)
        } finally {
            Remove-TestStatePath $path
        }
    }

    It 'Reset-ContactMirrorState -WhatIf keeps the file, -Confirm:$false deletes it' {
        $script:Tenant = New-MirrorTenant
        Connect-TestSandbox $script:Tenant.Sandbox
        Assert-Succeeded (Invoke-Captured { Invoke-ContactMirror -SharedMailbox $script:M.HubUpn })
        $script:Tenant.StatePath | Should -Exist -Because 'the run kept its state at AUTOMATION_SYNCCONTACTS_STATE_PATH'

        $whatIf = Invoke-Captured -HostText { Reset-ContactMirrorState -WhatIf }
        Assert-Succeeded $whatIf
        $script:Tenant.StatePath | Should -Exist
        $whatIf.Host -split "`r?`n" | Where-Object { $_.StartsWith('What if: Performing the operation "Delete the contact mirror state"') } | Should -Not -BeNullOrEmpty

        $reset = Invoke-Captured { Reset-ContactMirrorState -Confirm:$false }
        Assert-Succeeded $reset
        $script:Tenant.StatePath | Should -Not -Exist
        $empty = Invoke-Captured { Get-ContactMirrorState }
        Assert-Succeeded $empty
        $empty.Output | Should -BeNullOrEmpty
    }

    It 'a corrupt state file stops the run, naming the file and the way out' {
        $script:Tenant = New-MirrorTenant
        Connect-TestSandbox $script:Tenant.Sandbox
        Set-Content -LiteralPath $script:Tenant.StatePath -Value ('x' * 4096) -NoNewline
        Clear-SandboxRequest $script:Tenant.Sandbox
        $result = Invoke-Captured { Invoke-ContactMirror -SharedMailbox $script:M.HubUpn }
        $result.Terminating | Should -Not -BeNullOrEmpty
        $result.Terminating.FullyQualifiedErrorId.Split(',')[0] | Should -Be 'ExoKit.StateUnusable'
        $result.Terminating.Exception.Message | Should -BeLike "*$($script:Tenant.StatePath)*"
        $result.Terminating.Exception.Message | Should -BeLike '*Reset-ContactMirrorState*'
        Get-SandboxWrite $script:Tenant.Sandbox | Should -BeNullOrEmpty
    }
}

Describe 'The drop-in script, as CI runs it (pwsh -NoProfile -File)' {
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'prints the original log lines and exits 0' {
        $script:Tenant = New-MirrorTenant
        $run = Invoke-MirrorDropIn $script:Tenant
        $run.ExitCode | Should -Be 0 -Because $run
        $lines = $run.Stdout -split "`r?`n"
        $tid = $script:M.TenantId
        foreach ($line in @(
                'Loaded configuration from individual environment variables'
                "Running synccontacts for tenant $tid"
                'Step 1: Sync user contacts to shared mailbox All Contacts'
                "Syncing $(Get-MirrorUpn 0) -> $($script:M.HubUpn)"
                "Syncing $($script:M.HubUpn) -> $(Get-MirrorUpn 1)"
                'Step 2: Sync shared mailbox All Contacts to user contacts'
                "Done for tenant $tid. Step1 - Created: 3, Updated: 0, Skipped: 0"
                "Done for tenant $tid. Step2 - Created: 3, Updated: 0, Skipped: 3"
                "Tenant $tid / Step 1 (users -> shared mailbox) creation summary"
            )) {
            $lines | Should -Contain $line -Because $run
        }
        $run.Stdout | Should -BeLike '*Created: NotesId=*'
        $run.Stderr | Should -BeNullOrEmpty -Because 'a clean run writes nothing to stderr'
        "$($run.Stdout)$($run.Stderr)" | Should -Not -BeLike "*$($script:Demo.Secret)*"
        "$($run.Stdout)$($run.Stderr)" | Should -Not -BeLike '*sbx.*'
    }

    It 'with DryRun writes nothing' {
        $script:Tenant = New-MirrorTenant -NoHubFolder
        $variables = Get-MirrorDropInVariable
        $variables.AUTOMATION_SYNCCONTACTS_DRY_RUN = 'yes'
        $run = Invoke-MirrorDropIn $script:Tenant $variables
        $run.ExitCode | Should -Be 0 -Because $run
        Get-SandboxWrite $script:Tenant.Sandbox | Should -BeNullOrEmpty
        $run.Stdout | Should -BeLike '*Would create: NotesId=dryrun-*'
        $run.Stdout | Should -BeLike "*DryRun for tenant $($script:M.TenantId). Step1 - Would create: 3, Would update: 0*"
    }

    It 'a malformed <Variable> is named with its position and exits 1' -TestCases @(
        @{ Variable = 'AUTOMATION_SYNCCONTACTS_CONFIG_JSON'; Value = "{`"MicrosoftTenants`": [`n  {`"TenantId`": }`n]}" }
        @{ Variable = 'AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON'; Value = '[{"TenantId": "x",]' }
        @{ Variable = 'AUTOMATION_SYNCCONTACTS_TEST_USER_LIST_BY_TENANT_JSON'; Value = '{"contoso": ["a"' }
    ) {
        $script:Tenant = New-MirrorTenant
        $variables = Get-MirrorDropInVariable
        $variables[$Variable] = $Value
        $run = Invoke-MirrorDropIn $script:Tenant $variables
        $run.ExitCode | Should -Be 1 -Because $run
        $run.Stderr | Should -BeLike "*$Variable*"
        $run.Stderr | Should -BeLike '*line*'
        Get-SandboxWrite $script:Tenant.Sandbox | Should -BeNullOrEmpty
        "$($run.Stdout)$($run.Stderr)" | Should -Not -BeLike "*$($script:Demo.Secret)*"
    }

    It 'a missing tenant field is named with its tenant' {
        $script:Tenant = New-MirrorTenant
        $variables = @{
            AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON = (@(@{ TenantId = $script:M.TenantId; ClientId = $script:Demo.AppId; ClientSecret = $script:Demo.Secret }) | ConvertTo-Json -AsArray -Compress)
        }
        $run = Invoke-MirrorDropIn $script:Tenant $variables
        $run.ExitCode | Should -Be 1 -Because $run
        $run.Stderr | Should -BeLike '*GlobalAddressBookUserId*'
        $run.Stderr | Should -BeLike "*$($script:M.TenantId)*"
        "$($run.Stdout)$($run.Stderr)" | Should -Not -BeLike "*$($script:Demo.Secret)*"
    }

    It 'the test user map is looked up by TenantId' {
        $script:Tenant = New-MirrorTenant
        $config = @{
            MicrosoftTenants     = @{ TenantId = $script:M.TenantId; ClientId = $script:Demo.AppId; ClientSecret = $script:Demo.Secret; GlobalAddressBookUserId = $script:M.HubId }
            TestUserListByTenant = @{ $script:M.TenantId = @(Get-MirrorUpn 1) }
        } | ConvertTo-Json -Depth 5 -Compress
        $run = Invoke-MirrorDropIn $script:Tenant @{ AUTOMATION_SYNCCONTACTS_CONFIG_JSON = $config }
        $run.ExitCode | Should -Be 0 -Because $run
        $run.Stdout | Should -BeLike '*Using tenant test user list with 1 users.*'
        $run.Stdout | Should -Not -BeLike "*Syncing $(Get-MirrorUpn 0)*"
        $run.Stdout | Should -BeLike "*Syncing $(Get-MirrorUpn 1) -> $($script:M.HubId)*"
    }

    It 'a mailbox the app may not reach is reported on stderr, skipped, and exits 1' {
        $script:Tenant = New-MirrorTenant -DeniedUser 1
        $run = Invoke-MirrorDropIn $script:Tenant
        $run.ExitCode | Should -Be 1 -Because $run
        $run.Stderr | Should -BeLike '*ErrorAccessDenied*'
        $run.Stderr | Should -BeLike "*$(Get-MirrorUpn 1)*"
        $run.Stdout | Should -BeLike "*Done for tenant $($script:M.TenantId). Step1 - Created: 2, Updated: 0, Skipped: 0*"
        $writes = @(Get-SandboxWrite $script:Tenant.Sandbox)
        @($writes | Where-Object { $_.StartsWith("POST /v1.0/users/$($script:M.HubId)/contactFolders/") }) | Should -HaveCount 2
        @($writes | Where-Object { $_.StartsWith("PATCH /v1.0/users/$(Get-MirrorUserId 0)/contacts/") }) | Should -HaveCount 2
        $writes | Where-Object { $_ -like "*$(Get-MirrorUserId 1)*" } | Should -BeNullOrEmpty
    }

    It 'keeps its state at AUTOMATION_SYNCCONTACTS_STATE_PATH and refuses a bad MAX_DELETES by name' {
        $script:Tenant = New-MirrorTenant
        $run = Invoke-MirrorDropIn $script:Tenant
        $run.ExitCode | Should -Be 0 -Because $run
        $script:Tenant.StatePath | Should -Exist -Because 'AUTOMATION_SYNCCONTACTS_STATE_PATH is where the drop-in keeps its state'

        $variables = Get-MirrorDropInVariable
        $variables.AUTOMATION_SYNCCONTACTS_PROPAGATE_DELETES = 'true'
        $variables.AUTOMATION_SYNCCONTACTS_MAX_DELETES = 'ten'
        Clear-SandboxRequest $script:Tenant.Sandbox
        $refused = Invoke-MirrorDropIn $script:Tenant $variables
        $refused.ExitCode | Should -Be 1 -Because $refused
        $refused.Stderr | Should -BeLike '*AUTOMATION_SYNCCONTACTS_MAX_DELETES*'
        Get-SandboxWrite $script:Tenant.Sandbox | Should -BeNullOrEmpty
        "$($refused.Stdout)$($refused.Stderr)" | Should -Not -BeLike "*$($script:Demo.Secret)*"
    }
}
