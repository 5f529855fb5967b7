# RBAC for Applications through every layer (pwsh → module → native library → HTTP → sandbox):
# seed 003's five examples, each proven twice, by Test-ExchangeAppAccess and by a real call the
# sandbox's access rules answer. A tenant (sandbox) of its own per test: the tests create apps.
# (Ported from AppRbacTests.cs.)

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:R = Get-AppRbacTenantInfo
    $script:Demo = Get-TestDemo

    function Start-RbacTenant {
        $script:Sandbox = Start-TestSandbox -Seed (New-AppRbacSeed)
        Connect-TestSandbox $script:Sandbox -Extra @{ ExchangeEndpoint = "$($script:Sandbox.BaseUrl)/outlook.office365.com/" }
    }

    # New-ExchangeApp's secret as plain text, the way a test (not a script) may read it.
    function Get-PlainSecret { param($App) [Net.NetworkCredential]::new('', $App.Secret).Password }

    # A real Graph call as the app: the HTTP status.
    function Invoke-AsApp { param($App, [string] $Path) Invoke-GraphAsApp -Sandbox $script:Sandbox -AppId $App.AppId -Secret (Get-PlainSecret $App) -Path $Path }

    # Test-ExchangeAppAccess's answers, keyed "mailbox|permission" → the row.
    function Get-Access {
        param([scriptblock] $Line)
        $result = Invoke-Captured $Line
        Assert-Succeeded $result
        $map = @{}
        foreach ($row in $result.Output) {
            $row.PSObject.TypeNames[0] | Should -Be 'ExoKit.ExchangeAppAccess'
            $map["$($row.Mailbox)|$($row.Permission)"] = $row
        }
        $map
    }

    # Both ways of knowing: Exchange's Test-ServicePrincipalAuthorization, and a real call as the app.
    function Assert-Proves {
        param($App, [string] $Permission, [string[]] $Granted = @(), [string[]] $Denied = @())
        $all = @($Granted) + @($Denied)
        $exchange = Get-Access { Test-ExchangeAppAccess -App $App.AppId -Mailbox $all -Permission $Permission }
        $probe = Get-Access { Test-ExchangeAppAccess -App $App.AppId -Mailbox $all -Permission $Permission -Probe -ClientSecret $App.Secret }
        foreach ($mailbox in $Granted) {
            $exchange["$mailbox|$Permission"].Access | Should -Be 'Granted' -Because "$mailbox $Permission (Exchange)"
            $probe["$mailbox|$Permission"].Access | Should -Be 'Granted' -Because "$mailbox $Permission (probe)"
        }
        foreach ($mailbox in $Denied) {
            $exchange["$mailbox|$Permission"].Access | Should -Be 'Denied' -Because "$mailbox $Permission (Exchange)"
            $probe["$mailbox|$Permission"].Access | Should -Be 'Denied' -Because "$mailbox $Permission (probe)"
            $probe["$mailbox|$Permission"].Reason | Should -BeLike '*403 ErrorAccessDenied*'
        }
    }
}

Describe 'RBAC for Applications' {
    BeforeEach { Start-RbacTenant }
    AfterEach { Stop-TestSandbox $script:Sandbox }

    It "example 1: an app scoped to the Developers unit reads a member's calendar and not a non-member's" {
        $made = Invoke-Captured { New-ExchangeApp -DisplayName CalendarsReader -Role 'Application Calendars.Read' -AdministrativeUnit Developers }
        Assert-Succeeded $made
        $made.Output | Should -HaveCount 1
        $app = $made.Output[0]
        $app.PSObject.TypeNames[0] | Should -Be 'ExoKit.ExchangeApp'
        $app.Created | Should -BeTrue
        $app.Secret | Should -BeOfType ([securestring])
        $secret = Get-PlainSecret $app
        $made.AllText() | Should -Not -BeLike "*$secret*"
        ($app | Format-List * | Out-String -Width 200) | Should -Not -BeLike "*$secret*"

        $assignment = @(Get-ExchangeAppRoleAssignment -App CalendarsReader)
        $assignment | Should -HaveCount 1
        $assignment[0].Role | Should -Be 'Application Calendars.Read'
        $assignment[0].ScopeType | Should -Be 'AdministrativeUnit'
        $assignment[0].Scope | Should -Be 'Developers'
        $assignment[0].DirectoryScopeId | Should -Be "/AdministrativeUnits/$($script:R.DevelopersId)"

        Invoke-AsApp $app "/v1.0/users/$($script:R.Nestor)/events" | Should -Be 200
        Invoke-AsApp $app "/v1.0/users/$($script:R.Adele)/events" | Should -Be 403
        Assert-Proves $app 'Calendars.Read' -Granted $script:R.Nestor -Denied $script:R.Adele

        $why = Get-Access { Test-ExchangeAppAccess -App CalendarsReader -Mailbox $script:R.Nestor, $script:R.Adele }
        $why.Count | Should -Be 2
        $why["$($script:R.Nestor)|Calendars.Read"].Reason | Should -Be "'Application Calendars.Read' on Developers (AdministrativeUnit)"
        $why["$($script:R.Adele)|Calendars.Read"].Reason | Should -BeLike "the mailbox is outside 'Application Calendars.Read' on Developers*"
    }

    It 'example 2: contacts scoped to the Sales group by a separate assignment' {
        $made = Invoke-Captured { New-ExchangeApp -DisplayName ContactsSync }
        Assert-Succeeded $made
        $app = $made.Output[0]
        $assigned = Invoke-Captured { $app | New-ExchangeAppRoleAssignment -Role Contacts.ReadWrite -Group Sales }
        Assert-Succeeded $assigned
        $assigned.Output | Should -HaveCount 1
        $assigned.Output[0].DirectoryScopeId | Should -Be "/Groups/$($script:R.SalesId)"

        Invoke-AsApp $app "/v1.0/users/$($script:R.Lee)/contacts" | Should -Be 200
        Invoke-AsApp $app "/v1.0/users/$($script:R.Megan)/contacts" | Should -Be 403
        Assert-Proves $app 'Contacts.ReadWrite' -Granted $script:R.Lee -Denied $script:R.Megan

        $again = Invoke-Captured { New-ExchangeAppRoleAssignment -App ContactsSync -Role 'Application Contacts.ReadWrite' -Group Sales }
        Assert-Succeeded $again
        $again.Warnings | Where-Object { $_ -like '*already holds*' } | Should -Not -BeNullOrEmpty
        @(Get-ExchangeAppRoleAssignment -App ContactsSync) | Should -HaveCount 1
    }

    It 'examples 3 to 5: user scopes, full access and the whole tenant' {
        $alexId = $script:R.UserIds[$script:R.Alex]
        $made = Invoke-Captured {
            New-ExchangeApp -DisplayName VacationMail -Role Mail.ReadBasic -User $script:R.Alex
            New-ExchangeApp -DisplayName MissingEmployee -Role 'Application Exchange Full Access' -User $alexId
            New-ExchangeApp -DisplayName SettingsBot -Role MailboxSettings.ReadWrite -Tenant
        }
        Assert-Succeeded $made
        $reader, $full, $settings = $made.Output

        $scopes = @{}
        Get-ExchangeAppRoleAssignment | ForEach-Object { $scopes[$_.App] = $_.DirectoryScopeId }
        $scopes['VacationMail'] | Should -Be "/Users/$alexId"
        $scopes['MissingEmployee'] | Should -Be "/Users/$alexId"
        $scopes['SettingsBot'] | Should -Be '/'

        Invoke-AsApp $reader "/v1.0/users/$($script:R.Alex)/messages" | Should -Be 200
        Invoke-AsApp $reader "/v1.0/users/$($script:R.Adele)/messages" | Should -Be 403
        Invoke-AsApp $reader "/v1.0/users/$($script:R.Alex)/calendar" | Should -Be 403
        Invoke-AsApp $full "/v1.0/users/$($script:R.Alex)/calendar" | Should -Be 200
        Invoke-AsApp $full "/v1.0/users/$($script:R.Alex)/mailboxSettings" | Should -Be 200
        Invoke-AsApp $full "/v1.0/users/$($script:R.Nestor)/messages" | Should -Be 403
        foreach ($user in $script:R.Nestor, $script:R.Adele, $script:R.Alex) {
            Invoke-AsApp $settings "/v1.0/users/$user/mailboxSettings" | Should -Be 200
        }
        Invoke-AsApp $settings "/v1.0/users/$($script:R.Adele)/messages" | Should -Be 403

        Assert-Proves $reader 'Mail.ReadBasic' -Granted $script:R.Alex -Denied $script:R.Adele
        Assert-Proves $full 'Calendars.ReadWrite' -Granted $script:R.Alex -Denied $script:R.Nestor
        Assert-Proves $full 'Mail.Read' -Granted $script:R.Alex -Denied $script:R.Megan
        Assert-Proves $settings 'MailboxSettings.ReadWrite' -Granted $script:R.Nestor, $script:R.Adele, $script:R.Alex
        Assert-Proves $settings 'Mail.Read' -Denied $script:R.Adele
    }

    It 'Test-ExchangeAppAccess takes mailboxes from the pipeline and shows a table' {
        Assert-Succeeded (Invoke-Captured { New-ExchangeApp -DisplayName ContactsSync -Role Contacts.Read -Group Sales })
        $piped = Invoke-Captured {
            [pscustomobject]@{ UserPrincipalName = $script:R.Lee }, [pscustomobject]@{ UserPrincipalName = $script:R.Megan } |
                Test-ExchangeAppAccess -App ContactsSync
        }
        Assert-Succeeded $piped
        # (Issue 20: the verdict leads the 80-column table; the reason is in the list view.)
        $table = $piped.Output | Out-String -Width 120
        ($piped.Output | Format-List | Out-String -Width 120) | Should -BeLike '*Reason*'
        $table | Should -Match "Granted\s+$([regex]::Escape($script:R.Lee))\s+Contacts.Read"
        $table | Should -Match "Denied\s+$([regex]::Escape($script:R.Megan))\s+Contacts.Read"
        ($piped.Output | Where-Object Access -EQ 'Granted').Mailbox | Should -Be $script:R.Lee
        ($piped.Output | ConvertTo-Json | ConvertFrom-Json).Access | Should -Be @('Granted', 'Denied')

        $unknown = Invoke-Captured { Test-ExchangeAppAccess -App ContactsSync -Mailbox $script:R.Lee -Permission Calendars.Write }
        $unknown.Terminating.Exception.Message | Should -BeLike '*is not a mailbox permission*'
    }

    It 'New-ExchangeApp waits out replication lag without a fixed sleep, and a rerun finds the app' {
        Set-SandboxReplicationLag $script:Sandbox -Milliseconds 3000
        Clear-SandboxRequest $script:Sandbox
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $made = Invoke-Captured { New-ExchangeApp -DisplayName LaggyApp -Role Calendars.Read -Group Sales -Verbose }
        $clock.Stop()
        Assert-Succeeded $made
        $made.Verbose | Where-Object { $_ -like '*not replicated yet*' } | Should -Not -BeNullOrEmpty
        $polls = Get-SandboxRequest $script:Sandbox | Where-Object { $_.StartsWith('GET /v1.0/servicePrincipals/') -or $_.StartsWith('GET /v1.0/applications/') }
        $polls | Where-Object { $_.EndsWith(' 404') } | Should -Not -BeNullOrEmpty
        $polls | Where-Object { $_.EndsWith(' 200') } | Should -Not -BeNullOrEmpty
        $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 3
        $clock.Elapsed.TotalSeconds | Should -BeLessOrEqual 60

        $rerun = Invoke-Captured { New-ExchangeApp -DisplayName LaggyApp }
        Assert-Succeeded $rerun
        $rerun.Output | Should -HaveCount 1
        $rerun.Output[0].Created | Should -BeFalse
        $rerun.Output[0].PSObject.Properties['Secret'] | Should -BeNullOrEmpty
        $rerun.Warnings | Where-Object { $_ -like '*exists*' } | Should -Not -BeNullOrEmpty
    }

    It 'New-ExchangeApp with a certificate registers it instead of a secret, and the app signs in with it' {
        $certificate = New-TestCertificate
        $public = [Security.Cryptography.X509Certificates.X509Certificate2]::new($certificate.RawData)
        $made = Invoke-Captured { New-ExchangeApp -DisplayName CertReader -Certificate $public -Role Calendars.Read -AdministrativeUnit Developers }
        Assert-Succeeded $made
        $made.Output | Should -HaveCount 1
        $app = $made.Output[0]
        $app.Credential | Should -Be 'Certificate'
        $app.PSObject.Properties['Secret'] | Should -BeNullOrEmpty
        Get-SandboxRequest $script:Sandbox | Where-Object { $_ -like '*/addPassword*' } | Should -BeNullOrEmpty

        Invoke-GraphAsApp -Sandbox $script:Sandbox -AppId $app.AppId -Certificate $certificate -Path "/v1.0/users/$($script:R.Nestor)/calendar" | Should -Be 200
        Invoke-GraphAsApp -Sandbox $script:Sandbox -AppId $app.AppId -Certificate $certificate -Path "/v1.0/users/$($script:R.Adele)/calendar" | Should -Be 403
    }

    It 'unknown and ambiguous names list the candidates and create nothing' {
        Assert-Succeeded (Invoke-Captured { New-ExchangeApp -DisplayName Twin; New-ExchangeApp -DisplayName Twin -Force })
        Clear-SandboxRequest $script:Sandbox

        $ambiguous = Invoke-Captured { New-ExchangeAppRoleAssignment -App Twin -Role Mail.Read -Tenant }
        $ambiguous.Terminating | Should -Not -BeNullOrEmpty
        $ambiguous.Terminating.Exception.Message | Should -BeLike '*matches 2 service principals*'
        $ambiguous.Terminating.FullyQualifiedErrorId | Should -Be 'ExoKit.InvalidArgument,ExoKit.NewExchangeAppRoleAssignment'

        $role = Invoke-Captured { New-ExchangeApp -DisplayName Other -Role Calendars.Write -Tenant }
        $role.Terminating.Exception.Message | Should -BeLike '*the application roles are: *'
        $role.Terminating.Exception.Message | Should -BeLike '*Application Calendars.Read*'

        $unit = Invoke-Captured { New-ExchangeAppRoleAssignment -App CalendarsReader -Role Mail.Read -AdministrativeUnit Nowhere }
        $unit.Terminating | Should -Not -BeNullOrEmpty
        Get-SandboxRequest $script:Sandbox | Where-Object { $_.StartsWith('POST ') } | Should -BeNullOrEmpty
    }

    It 'a missing Graph permission is named' {
        Connect-TestSandbox $script:Sandbox -AppId $script:Demo.NoRolesAppId -Secret $script:Demo.NoRolesSecret
        $result = Invoke-Captured { New-ExchangeApp -DisplayName Denied }
        $result.Terminating | Should -Not -BeNullOrEmpty
        $result.Terminating.Exception.Message | Should -BeLike '*RoleManagement.Read*'
    }

    It 'Remove-ExchangeAppRoleAssignment supports -WhatIf and pipeline input from Get-' {
        Assert-Succeeded (Invoke-Captured { New-ExchangeApp -DisplayName Removable -Role Mail.Read, Calendars.Read -User $script:R.Alex })
        Clear-SandboxRequest $script:Sandbox
        $whatIf = Invoke-Captured -HostText { Get-ExchangeAppRoleAssignment -App Removable | Remove-ExchangeAppRoleAssignment -WhatIf }
        Assert-Succeeded $whatIf
        Get-SandboxRequest $script:Sandbox | Where-Object { $_.StartsWith('DELETE ') } | Should -BeNullOrEmpty
        $whatIf.Host | Should -BeLike "*'Application Mail.Read' on $($script:R.Alex)*"

        Assert-Succeeded (Invoke-Captured { Get-ExchangeAppRoleAssignment -App Removable | Remove-ExchangeAppRoleAssignment -Confirm:$false })
        @(Get-SandboxRequest $script:Sandbox | Where-Object { $_.StartsWith('DELETE /beta/roleManagement/exchange/roleAssignments/') }) | Should -HaveCount 2
        Get-ExchangeAppRoleAssignment -App Removable | Should -BeNullOrEmpty
    }
}
