# Issue 20, items 2, 10, 12 and 15: one failed item is one non-terminating ErrorRecord
# (ExoKit.<Id>,<Cmdlet>, TargetObject = the item) and every other item is still processed; an
# identity that matches nothing is ObjectNotFound; a filter that matches nothing is silent;
# terminating only when nothing can go on. Against the app-access seed (alice, bob, a room).

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:Sandbox = Start-TestSandbox -SeedFile (Join-Path (Get-TestPath).Seeds 'app-access.json')
    Connect-TestSandbox $script:Sandbox -Extra @{ ExchangeEndpoint = "$($script:Sandbox.BaseUrl)/outlook.office365.com/" }
    $script:Alice = 'alice@contoso.onmicrosoft.com'
    $script:Bob = 'bob@contoso.onmicrosoft.com'
    $script:Room = 'room1@contoso.onmicrosoft.com'
    $script:Nobody = 'nobody@contoso.onmicrosoft.com'

    function Assert-ItemError {
        param($Capture, [string] $ErrorId, [string] $Category, [string] $Target, [string] $Cmdlet)
        $Capture.Terminating | Should -BeNullOrEmpty -Because $Capture.AllText()
        $Capture.Errors | Should -HaveCount 1 -Because $Capture.AllText()
        $record = $Capture.Errors[0]
        $record.FullyQualifiedErrorId | Should -Be "$ErrorId,ExoKit.$Cmdlet"
        $record.CategoryInfo.Category | Should -Be $Category
        $record.TargetObject | Should -Be $Target
        # No transport noise: the request line is for -Verbose.
        $record.ToString() | Should -Not -BeLike '*InvokeCommand failed with*'
        $record.ToString() | Should -Not -BeLike '*http://*'
    }
}

AfterAll {
    Disconnect-ExoKit -WarningAction SilentlyContinue
    Stop-TestSandbox $script:Sandbox
}

Describe 'One unknown mailbox among several' {
    It 'Test-ExchangeAppAccess reports the others and one ObjectNotFound error for it' {
        $run = Invoke-Captured { Test-ExchangeAppAccess -App 'Calendar Sync' -Mailbox $script:Alice, $script:Nobody, $script:Bob -Permission Calendars.Read }
        Assert-ItemError $run 'ExoKit.Service.ManagementObjectNotFoundException' 'ObjectNotFound' $script:Nobody 'TestExchangeAppAccess'
        $run.Output.Mailbox | Should -Be @($script:Alice, $script:Bob)
    }

    It 'Get-ExchangeAppAccessReport reports every other mailbox' {
        $run = Invoke-Captured { Get-ExchangeAppAccessReport -Mailbox $script:Alice, $script:Nobody, $script:Bob }
        Assert-ItemError $run 'ExoKit.Service.ManagementObjectNotFoundException' 'ObjectNotFound' $script:Nobody 'GetExchangeAppAccessReport'
        ($run.Output.Mailbox | Sort-Object -Unique) | Should -Be @($script:Alice, $script:Bob)
    }

    It 'Get-CalendarPublishing reports every other mailbox' {
        $run = Invoke-Captured { Get-CalendarPublishing -Mailbox $script:Alice, $script:Nobody, $script:Room }
        Assert-ItemError $run 'ExoKit.Service.ManagementObjectNotFoundException' 'ObjectNotFound' $script:Nobody 'GetCalendarPublishing'
        $run.Output.Mailbox | Should -Be @($script:Alice, $script:Room)
    }

    It 'Set-CalendarExternalBooking refuses the user mailbox without -Force and still sets the room' {
        $run = Invoke-Captured { Set-CalendarExternalBooking -Mailbox $script:Alice, $script:Room -Enabled $true }
        Assert-ItemError $run 'ExoKit.InvalidArgument' 'InvalidArgument' $script:Alice 'SetCalendarExternalBooking'
        $run.Output.Mailbox | Should -Be @($script:Room)
        $run.Output[0].ProcessExternalMeetingMessages | Should -BeTrue
    }

    It '-ErrorAction SilentlyContinue hides it, -ErrorVariable holds it and $? is false' {
        $rows = Get-CalendarPublishing -Mailbox $script:Nobody, $script:Room -ErrorAction SilentlyContinue -ErrorVariable failed
        $ok = $?
        $ok | Should -BeFalse
        @($rows).Count | Should -Be 1
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'ExoKit.Service.ManagementObjectNotFoundException,ExoKit.GetCalendarPublishing'
        $ignored = Get-CalendarPublishing -Mailbox $script:Nobody -ErrorAction Ignore
        $ignored | Should -BeNullOrEmpty
    }

    It 'piped to Format-Table in a script, later formatted statements still work' {
        $script = @"
Import-Module '$((Get-TestPath).Module)'
`$p = @{ TenantId = '$((Get-TestDemo).Tenant)'; ClientId = '$((Get-TestDemo).AppId)'; ClientSecret = [Net.NetworkCredential]::new('', '$((Get-TestDemo).Secret)').SecurePassword
  GraphEndpoint = '$($script:Sandbox.BaseUrl)'; AuthorityHost = '$($script:Sandbox.BaseUrl)'; ExchangeEndpoint = '$($script:Sandbox.BaseUrl)/outlook.office365.com/' }
Connect-ExoKit @p
Get-CalendarPublishing -Mailbox $($script:Nobody), $($script:Room) | Format-Table Mailbox, PublishEnabled
Get-Item / | Format-Table Name
'after'
"@
        $file = New-TestTempPath -Prefix 'exokit-script' -Extension '.ps1'
        Set-Content -LiteralPath $file -Value $script
        try { $run = Invoke-TestPwsh -File $file } finally { Remove-Item -LiteralPath $file -Force }
        $run.Stdout + $run.Stderr | Should -Not -BeLike '*FormatStartData*'
        $run.Stdout | Should -BeLike "*$($script:Room)*"
        $run.Stdout | Should -BeLike '*after*'
    }
}

Describe 'Ids and identities' {
    It 'Remove-ExchangeAppRoleAssignment: one unknown id piped among others is its own error' {
        $run = Invoke-Captured { 'nosuch-1', 'nosuch-2' | Remove-ExchangeAppRoleAssignment -Confirm:$false }
        $run.Terminating | Should -BeNullOrEmpty -Because $run.AllText()
        $run.Errors | Should -HaveCount 2 -Because $run.AllText()
        $run.Errors.TargetObject | Should -Be @('nosuch-1', 'nosuch-2')
        $run.Errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'ExoKit.*,ExoKit.RemoveExchangeAppRoleAssignment' }
    }

    It 'Get-ExchangeAppRoleAssignment -Id that matches nothing is ObjectNotFound, not silence' {
        $run = Invoke-Captured { Get-ExchangeAppRoleAssignment -Id nosuch }
        Assert-ItemError $run 'ExoKit.NotFound' 'ObjectNotFound' 'nosuch' 'GetExchangeAppRoleAssignment'
    }

    It 'Get-ExchangeAppRoleAssignment -App naming no app is ObjectNotFound; a filter that matches nothing is silent' {
        $run = Invoke-Captured { Get-ExchangeAppRoleAssignment -App NoSuchApp }
        Assert-ItemError $run 'ExoKit.NotFound' 'ObjectNotFound' 'NoSuchApp' 'GetExchangeAppRoleAssignment'
        $quiet = Invoke-Captured { Get-ExchangeAppRoleAssignment -Role 'Application Mail.Send' }
        Assert-Succeeded $quiet
        $quiet.Output | Should -BeNullOrEmpty
    }

    It 'Get-ExchangeAppAccessPolicy -Identity that matches nothing is a non-terminating ObjectNotFound' {
        $run = Invoke-Captured { Get-ExchangeAppAccessPolicy -Identity nope }
        Assert-ItemError $run 'ExoKit.NotFound' 'ObjectNotFound' 'nope' 'GetExchangeAppAccessPolicy'
    }
}

Describe 'Pipelines' {
    It 'ids piped as strings bind to Remove-ExchangeAppRoleAssignment' {
        $ids = @('nosuch-3')
        $run = Invoke-Captured { $ids | Remove-ExchangeAppRoleAssignment -WhatIf }
        $run.Terminating | Should -BeNullOrEmpty -Because $run.AllText()
        $run.Errors | Should -BeNullOrEmpty -Because $run.AllText()
    }

    It 'Get-ExchangeAppRoleAssignment | Test-ExchangeAppAccess -Mailbox binds the app' {
        $assignment = New-ExchangeAppRoleAssignment -App 'Calendar Sync' -Role 'Application Calendars.Read' -User $script:Alice
        try {
            $run = Invoke-Captured { Get-ExchangeAppRoleAssignment -App 'Calendar Sync' | Test-ExchangeAppAccess -Mailbox $script:Alice, $script:Bob -Permission Calendars.Read }
            Assert-Succeeded $run
            ($run.Output | Where-Object Mailbox -EQ $script:Alice).Access | Should -Be 'Granted'
            ($run.Output | Where-Object Mailbox -EQ $script:Bob).Access | Should -Be 'Denied'
        } finally {
            $assignment | Remove-ExchangeAppRoleAssignment -Confirm:$false
        }
    }
}

Describe 'Terminating only when nothing can go on' {
    BeforeEach { Disconnect-ExoKit }
    AfterEach { Connect-TestSandbox $script:Sandbox -Extra @{ ExchangeEndpoint = "$($script:Sandbox.BaseUrl)/outlook.office365.com/" } }

    It 'not connected stops the cmdlet, before any item' {
        $run = Invoke-Captured { Get-CalendarPublishing -Mailbox $script:Alice, $script:Room }
        $run.Terminating.FullyQualifiedErrorId | Should -Be 'ExoKit.NotConnected,ExoKit.GetCalendarPublishing'
        $run.Output | Should -BeNullOrEmpty
    }

    It 'Get-ExoKitContext returns nothing when not connected, with no error (as Get-MgContext)' {
        $run = Invoke-Captured { Get-ExoKitContext }
        Assert-Succeeded $run
        $run.Output | Should -BeNullOrEmpty
        Get-ExoKitContext -ErrorAction Stop | Should -BeNullOrEmpty
    }
}
