# Application Access Policies over the Exchange admin API (seed 000's first how-to), the access
# audit and the policy → RBAC migration, on tests/sandbox/seeds/app-access.json: Mail Archiver
# (Entra Mail.Read, restricted to Alice's group), Calendar Sync (Entra Calendars.Read plus an RBAC
# assignment scoped to Sales, which the Entra grant defeats), Contacts Bot (RBAC only, Sales),
# Support Tool (Entra Mail.Read, no policy). A fresh sandbox per test: the tests change it.
# (Ported from AppAccessTests.cs and AppAccessAuditTests.cs.)

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:SupportTool = '1a1a0000-0000-4000-8000-0000000000d4'
    $script:MailArchiver = '1a1a0000-0000-4000-8000-0000000000a1'
    $script:Alice = 'alice@contoso.onmicrosoft.com'
    $script:Bob = 'bob@contoso.onmicrosoft.com'
    $script:Carol = 'carol@contoso.onmicrosoft.com'
    $script:Mailboxes = $script:Alice, $script:Bob, $script:Carol

    function Get-Verdict { param($Capture, [string] $Mailbox) @($Capture.Output | Where-Object Mailbox -EQ $Mailbox)[0].AccessCheckResult }

    # Rows as "a | b | c" of the named columns, in output order.
    function ConvertTo-Row { param($Objects, [string[]] $Columns) foreach ($o in $Objects) { ($Columns | ForEach-Object { [string]$o.$_ }) -join ' | ' } }
}

Describe 'Application Access Policies' {
    BeforeEach {
        $script:Sandbox = Start-TestSandbox -SeedFile (Join-Path (Get-TestPath).Seeds 'app-access.json')
        Connect-TestSandbox $script:Sandbox -Extra @{ ExchangeEndpoint = "$($script:Sandbox.BaseUrl)/outlook.office365.com/" }
    }
    AfterEach { Stop-TestSandbox $script:Sandbox }

    It "the seed's policy flow end to end restricts the app to the group" {
        $before = Invoke-Captured { Test-ExchangeAppAccessPolicy -AppId $script:SupportTool -Mailbox $script:Alice, $script:Bob }
        $before.Terminating | Should -BeNullOrEmpty
        Get-Verdict $before $script:Bob | Should -Be 'Granted'

        $group = Invoke-Captured { New-ExchangeAppScopeGroup -Name 'Support Scope' -Member $script:Alice }
        $group.Terminating | Should -BeNullOrEmpty
        $group.Output | Should -HaveCount 1
        $made = $group.Output[0]
        $made.PSObject.TypeNames[0] | Should -Be 'ExoKit.AppScopeGroup'
        $made.Created | Should -BeTrue
        $address = $made.PrimarySmtpAddress

        $policy = Invoke-Captured { New-ExchangeAppAccessPolicy -AppId $script:SupportTool -PolicyScopeGroupId $address -AccessRight RestrictAccess -Description 'support only' }
        $policy.Terminating | Should -BeNullOrEmpty
        $policy.Output | Should -HaveCount 1
        $policy.Output[0].AccessRight | Should -Be 'RestrictAccess'
        $policy.Output[0].ScopeName | Should -Be 'Support Scope'

        $after = Invoke-Captured { $script:Alice, $script:Bob | Test-ExchangeAppAccessPolicy -AppId $script:SupportTool }
        Get-Verdict $after $script:Alice | Should -Be 'Granted'
        Get-Verdict $after $script:Bob | Should -Be 'Denied'
        $after.Output | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ExoKit.AppAccessPolicyTest' }

        # Idempotent: the same call again adds only what is missing.
        $again = Invoke-Captured { New-ExchangeAppScopeGroup -Name 'Support Scope' -Member $script:Alice, $script:Bob }
        $again.Output | Should -HaveCount 1
        $again.Output[0].Created | Should -BeFalse
        @($again.Output[0].Added) | Should -Be @($script:Bob)
        Get-Verdict (Invoke-Captured { Test-ExchangeAppAccessPolicy -AppId $script:SupportTool -Mailbox $script:Bob }) $script:Bob | Should -Be 'Granted'
    }

    It 'a deny policy keeps the app from the group only, and beats restrict' {
        Invoke-Captured { New-ExchangeAppScopeGroup -Name 'Executives' -Member $script:Bob } | Assert-Succeeded
        $deny = Invoke-Captured { New-ExchangeAppAccessPolicy -AppId $script:SupportTool -PolicyScopeGroupId Executives -AccessRight DenyAccess }
        $deny.Terminating | Should -BeNullOrEmpty
        $verdicts = Invoke-Captured { Test-ExchangeAppAccessPolicy -AppId $script:SupportTool -Mailbox $script:Alice, $script:Bob, $script:Carol }
        Get-Verdict $verdicts $script:Alice | Should -Be 'Granted'
        Get-Verdict $verdicts $script:Bob | Should -Be 'Denied'
        Get-Verdict $verdicts $script:Carol | Should -Be 'Granted'
        ($verdicts.Output | Group-Object AccessCheckResult -AsHashTable -AsString)['Granted'] | Should -HaveCount 2

        # Mail Archiver is restricted to Alice's group; a Deny on another group holding Alice wins.
        Invoke-Captured { New-ExchangeAppScopeGroup -Name 'Legal Hold' -Member $script:Alice } | Assert-Succeeded
        $denyAlice = Invoke-Captured { New-ExchangeAppAccessPolicy -AppId $script:MailArchiver -PolicyScopeGroupId 'Legal Hold' -AccessRight DenyAccess }
        $denyAlice.Terminating | Should -BeNullOrEmpty
        Get-Verdict (Invoke-Captured { Test-ExchangeAppAccessPolicy -AppId $script:MailArchiver -Mailbox $script:Alice }) $script:Alice | Should -Be 'Denied'
    }

    It 'policies are listed, changed and removed through the pipeline' {
        $listed = @(Get-ExchangeAppAccessPolicy -AppId $script:MailArchiver)
        $listed | Should -HaveCount 1
        $listed[0].PSObject.TypeNames[0] | Should -Be 'ExoKit.AppAccessPolicy'
        $listed[0].ScopeId | Should -Be 'aaaa0000-0000-4000-8000-00000000000a'

        Get-ExchangeAppAccessPolicy -AppId $script:MailArchiver | Set-ExchangeAppAccessPolicy -Description 'reviewed'
        @(Get-ExchangeAppAccessPolicy)[0].Description | Should -Be 'reviewed'

        $whatIf = Invoke-Captured { Get-ExchangeAppAccessPolicy | Remove-ExchangeAppAccessPolicy -WhatIf }
        $whatIf.Terminating | Should -BeNullOrEmpty
        @(Get-ExchangeAppAccessPolicy) | Should -HaveCount 1

        $removed = Invoke-Captured { Get-ExchangeAppAccessPolicy | Remove-ExchangeAppAccessPolicy -Confirm:$false }
        $removed.Terminating | Should -BeNullOrEmpty
        $none = Invoke-Captured { Get-ExchangeAppAccessPolicy }
        $none.Terminating | Should -BeNullOrEmpty
        $none.Output | Should -BeNullOrEmpty
    }

    It 'bad input gets one clear error naming what and where' {
        $unknown = Invoke-Captured { Get-ExchangeAppAccessPolicy -Identity 'no-such-policy' }
        # Today a terminating InvalidArgument; issue 20 (item 10) may make it a non-terminating
        # ObjectNotFound, so this asserts only what both share: one error naming the identity.
        $records = @($unknown.Errors) + @($unknown.Terminating | Where-Object { $_ })
        $records | Should -HaveCount 1
        $records[0].Exception.Message | Should -BeLike '*no-such-policy*'

        $distribution = Invoke-Captured { New-ExchangeAppScopeGroup -Name 'Staff List' -Member $script:Alice }
        $distribution.Terminating | Should -Not -BeNullOrEmpty
        $distribution.Terminating.Exception.Message | Should -BeLike '*MailUniversalDistributionGroup*'

        $nobody = Invoke-Captured { Test-ExchangeAppAccessPolicy -AppId $script:SupportTool -Mailbox nobody@contoso.onmicrosoft.com, $script:Alice }
        $nobody.Terminating | Should -BeNullOrEmpty
        $nobody.Errors | Should -HaveCount 1
        $nobody.Errors[0].FullyQualifiedErrorId.Split(',')[0] | Should -Be 'ExoKit.Service.ManagementObjectNotFoundException'
        Get-Verdict $nobody $script:Alice | Should -Be 'Granted'

        # -ErrorAction SilentlyContinue hides it, -ErrorVariable still holds it, Alice's verdict stays.
        $quiet = Test-ExchangeAppAccessPolicy -AppId $script:SupportTool -Mailbox nobody@contoso.onmicrosoft.com, $script:Alice -ErrorAction SilentlyContinue -ErrorVariable held
        @($quiet).Count | Should -Be 1
        $quiet.AccessCheckResult | Should -Be 'Granted'
        $held | Should -HaveCount 1
    }
}

Describe 'The access report and the migration to RBAC' {
    BeforeEach {
        $script:Sandbox = Start-TestSandbox -SeedFile (Join-Path (Get-TestPath).Seeds 'app-access.json')
        Connect-TestSandbox $script:Sandbox -Extra @{ ExchangeEndpoint = "$($script:Sandbox.BaseUrl)/outlook.office365.com/" }
    }
    AfterEach { Stop-TestSandbox $script:Sandbox }

    It 'the report for three apps matches the expected table exactly' {
        $report = Invoke-Captured { Get-ExchangeAppAccessReport -App 'Mail Archiver', 'Calendar Sync', 'Contacts Bot' -Mailbox $script:Mailboxes }
        $report.Terminating | Should -BeNullOrEmpty
        $report.Output | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ExoKit.AppAccessReport' }
        $expected = @(
            'Calendar Sync | alice@contoso.onmicrosoft.com | Granted | EntraGrant | UnscopedEntraGrant | Calendars.Read'
            'Calendar Sync | bob@contoso.onmicrosoft.com | Granted | EntraGrant | UnscopedEntraGrant | Calendars.Read'
            'Calendar Sync | carol@contoso.onmicrosoft.com | Granted | EntraGrant |  | Calendars.Read'
            'Contacts Bot | alice@contoso.onmicrosoft.com | Denied | None |  | '
            'Contacts Bot | bob@contoso.onmicrosoft.com | Denied | None |  | '
            'Contacts Bot | carol@contoso.onmicrosoft.com | Granted | RbacScope |  | '
            'Mail Archiver | alice@contoso.onmicrosoft.com | Granted | AccessPolicy |  | Mail.Read'
            'Mail Archiver | bob@contoso.onmicrosoft.com | Denied | AccessPolicy |  | Mail.Read'
            'Mail Archiver | carol@contoso.onmicrosoft.com | Denied | AccessPolicy |  | Mail.Read'
        )
        ConvertTo-Row $report.Output AppDisplayName, Mailbox, Access, Via, Flag, EntraPermissions | Should -Be $expected
        $report.Output[5].Reason | Should -Be 'RBAC Application Contacts.Read (Sales Members)'
        foreach ($row in $report.Output) {
            foreach ($p in $row.PSObject.Properties) { $p.Value | Should -BeOfType ([string]) -Because "$($p.Name) is flat" }
        }
        # Flat rows survive Export-Csv/Import-Csv unchanged, as an auditor's spreadsheet.
        $csv = New-TestTempPath -Extension '.csv'
        try {
            $report.Output | Export-Csv -LiteralPath $csv
            ConvertTo-Row (Import-Csv -LiteralPath $csv) AppDisplayName, Mailbox, Access, Via, Flag, EntraPermissions | Should -Be $expected
        } finally { Remove-Item -LiteralPath $csv -ErrorAction SilentlyContinue }
        @($report.Output | Where-Object Access -EQ 'Denied' | Sort-Object AppDisplayName -Unique).AppDisplayName | Should -Be @('Contacts Bot', 'Mail Archiver')

        # Without -App: every app with a mailbox permission or an Exchange pointer, the admin app not.
        $all = Invoke-Captured { Get-ExchangeAppAccessReport -Mailbox $script:Bob }
        @($all.Output.AppDisplayName) | Should -Be @('Calendar Sync', 'Contacts Bot', 'Mail Archiver', 'Support Tool')

        $unknown = Invoke-Captured { Get-ExchangeAppAccessReport -App 'No Such App' }
        Assert-ErrorRecord $unknown.Terminating -ErrorId 'ExoKit.InvalidArgument' -Category 'InvalidArgument'
        $unknown.Terminating.Exception.Message | Should -BeLike '*No Such App*'
    }

    It 'migrating restrict and deny policies keeps every verdict and removes the Entra grants' {
        Invoke-Captured { New-ExchangeAppScopeGroup -Name Executives -Member $script:Bob } | Assert-Succeeded
        (Invoke-Captured { New-ExchangeAppAccessPolicy -AppId $script:SupportTool -PolicyScopeGroupId Executives -AccessRight DenyAccess }).Terminating | Should -BeNullOrEmpty
        $reportLine = { Get-ExchangeAppAccessReport -App 'Mail Archiver', 'Support Tool' -Mailbox $script:Mailboxes }
        $before = @(ConvertTo-Row (Invoke-Captured $reportLine).Output AppDisplayName, Mailbox, Access)
        $before | Should -HaveCount 6
        $before | Should -Contain 'Support Tool | bob@contoso.onmicrosoft.com | Denied'
        $before | Should -Contain 'Support Tool | carol@contoso.onmicrosoft.com | Granted'

        Clear-SandboxRequest $script:Sandbox
        $plan = Invoke-Captured { Get-ExchangeAppAccessPolicy | ConvertTo-ExchangeAppRoleAssignment -WhatIf }
        $plan.Terminating | Should -BeNullOrEmpty
        $plan.Output | ForEach-Object { $_.Status | Should -Be 'Planned' }
        $steps = @(ConvertTo-Row $plan.Output AppId, Action, Target, Detail)
        $steps | Where-Object { $_.StartsWith("$($script:SupportTool) | New-ManagementScope") -and $_.EndsWith("| MemberOfGroup -ne 'CN=Executives,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=NAMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM'") } |
            Should -Not -BeNullOrEmpty -Because ($steps -join "`n")
        $steps | Where-Object { $_.StartsWith("$($script:MailArchiver) | New-ManagementScope") -and $_.Contains("MemberOfGroup -eq 'CN=archive-scope,") } | Should -Not -BeNullOrEmpty
        ($steps -join "`n") | Should -BeLike "*$($script:SupportTool) | New-ManagementRoleAssignment | Application Mail.Read*"
        $steps | Where-Object { $_.StartsWith("$($script:MailArchiver) | Remove Entra permission | Mail.Read") } | Should -Not -BeNullOrEmpty
        Get-SandboxRequest $script:Sandbox | Where-Object { $_.StartsWith('DELETE ') } | Should -BeNullOrEmpty
        @(Get-ExchangeAppAccessPolicy) | Should -HaveCount 2

        $migrated = Invoke-Captured { Get-ExchangeAppAccessPolicy | ConvertTo-ExchangeAppRoleAssignment -RemovePolicy -Mailbox $script:Mailboxes -Confirm:$false }
        $migrated.Terminating | Should -BeNullOrEmpty
        $migrated.Output | ForEach-Object { $_.Status | Should -Be 'Done' }
        $migrated.Output.Action | Should -Contain 'Remove-ApplicationAccessPolicy'
        Get-ExchangeAppAccessPolicy | Should -BeNullOrEmpty

        $after = (Invoke-Captured $reportLine).Output
        ConvertTo-Row $after AppDisplayName, Mailbox, Access | Should -Be $before
        $after | ForEach-Object { $_.EntraPermissions | Should -Be '' }
        $after | Where-Object Access -EQ 'Granted' | ForEach-Object { $_.Via | Should -Be 'RbacScope' }
    }

    It 'a migration that would change access keeps the policies' {
        # The policy counts a nested group's members, a MemberOfGroup scope does not: Carol would
        # lose access, so the migration must stop before taking anything away.
        Invoke-Captured { New-ExchangeAppScopeGroup -Name Inner -Member $script:Carol } | Assert-Succeeded
        Invoke-Captured { New-ExchangeAppScopeGroup -Name Outer -Member Inner } | Assert-Succeeded
        (Invoke-Captured { New-ExchangeAppAccessPolicy -AppId $script:SupportTool -PolicyScopeGroupId Outer -AccessRight RestrictAccess }).Terminating | Should -BeNullOrEmpty
        $migrate = { Get-ExchangeAppAccessPolicy -AppId $script:SupportTool | ConvertTo-ExchangeAppRoleAssignment -RemovePolicy -Mailbox $script:Mailboxes -Confirm:$false }
        $migrated = Invoke-Captured $migrate
        $migrated.Warnings | Where-Object { $_ -like '*Inner*' -and $_ -like '*direct members*' } | Should -Not -BeNullOrEmpty
        Assert-ErrorRecord $migrated.Terminating -ErrorId 'ExoKit.InvalidArgument' -Category 'InvalidArgument'
        $migrated.Terminating.Exception.Message | Should -BeLike '*Support Tool on carol@contoso.onmicrosoft.com was Granted*'
        $migrated.Terminating.Exception.Message | Should -BeLike '*no Entra permission was revoked*'
        @(Get-ExchangeAppAccessPolicy) | Should -HaveCount 2
        $still = @(Get-ExchangeAppAccessReport -App 'Support Tool' -Mailbox $script:Carol)
        $still | Should -HaveCount 1
        $still[0].EntraPermissions | Should -Be 'Mail.Read'
        $still[0].Access | Should -Be 'Granted'

        # Carol made a direct member, the same command finishes: the scope and assignment made by
        # the first run are found, not doubled.
        Invoke-Captured { New-ExchangeAppScopeGroup -Name Outer -Member $script:Carol } | Assert-Succeeded
        $rerun = Invoke-Captured $migrate
        $rerun.Terminating | Should -BeNullOrEmpty
        $rerun.Output.Action | Should -Not -Contain 'New-ServicePrincipal'
        @(Get-ExchangeAppAccessPolicy) | Should -HaveCount 1
        $moved = @(Get-ExchangeAppAccessReport -App 'Support Tool' -Mailbox $script:Carol)
        $moved | Should -HaveCount 1
        $moved[0].Via | Should -Be 'RbacScope'
    }
}
