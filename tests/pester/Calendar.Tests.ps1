# Seed 000's second how-to: publish a calendar with each detail level and get its URLs, stop
# publishing, the sharing policy that blocks it, a German mailbox, and the external-booking guard
# on user mailboxes. A fresh sandbox per test. (Ported from CalendarTests.cs.)

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:Room = 'room1@contoso.onmicrosoft.com'
    $script:Hans = 'hans@contoso.onmicrosoft.com'
    $script:Alice = 'alice@contoso.onmicrosoft.com'
    $script:Bob = 'bob@contoso.onmicrosoft.com'
}

Describe 'Calendar sharing' {
    BeforeEach {
        $script:Sandbox = Start-TestSandbox -SeedFile (Join-Path (Get-TestPath).Seeds 'app-access.json')
        Connect-TestSandbox $script:Sandbox -Extra @{ ExchangeEndpoint = "$($script:Sandbox.BaseUrl)/outlook.office365.com/" }
    }
    AfterEach { Stop-TestSandbox $script:Sandbox }

    It 'publishing on with each detail level returns the URLs, -ResetUrl changes them, off clears them' {
        $before = @(Get-CalendarPublishing -Mailbox $script:Room)
        $before | Should -HaveCount 1
        $before[0].PSObject.TypeNames[0] | Should -Be 'ExoKit.CalendarPublishing'
        $before[0].PublishEnabled | Should -BeFalse
        $before[0].PublishedCalendarUrl | Should -BeNullOrEmpty

        $firstUrl = $null
        foreach ($level in 'AvailabilityOnly', 'LimitedDetails', 'FullDetails') {
            $set = Invoke-Captured { Set-CalendarPublishing -Mailbox $script:Room -Enabled $true -DetailLevel $level -PublishDateRangeFrom OneMonth -PublishDateRangeTo OneYear }
            $set.Terminating | Should -BeNullOrEmpty
            $set.Warnings | Should -BeNullOrEmpty
            $set.Output | Should -HaveCount 1
            $on = $set.Output[0]
            $on.PublishEnabled | Should -BeTrue
            $on.DetailLevel | Should -Be $level
            $on.PublishDateRangeFrom | Should -Be 'OneMonth'
            $on.PublishDateRangeTo | Should -Be 'OneYear'
            $on.PublishedCalendarUrl | Should -BeLike '*/calendar.html'
            $on.PublishedICalUrl | Should -BeLike '*/calendar.ics'
            if ($null -eq $firstUrl) { $firstUrl = $on.PublishedCalendarUrl }
            $on.PublishedCalendarUrl | Should -Be $firstUrl
        }

        $reset = @(Set-CalendarPublishing -Mailbox $script:Room -ResetUrl)[0]
        $reset.PublishedCalendarUrl | Should -Not -Be $firstUrl
        $reset.PublishedCalendarUrl | Should -Not -BeNullOrEmpty

        $stopped = @(Set-CalendarPublishing -Mailbox $script:Room -Enabled $false)[0]
        $stopped.PublishEnabled | Should -BeFalse
        $stopped.PublishedCalendarUrl | Should -BeNullOrEmpty
        $stopped.PublishedICalUrl | Should -BeNullOrEmpty
    }

    It 'a German mailbox is found by its calendar folder id' {
        $set = Invoke-Captured { Set-CalendarPublishing -Mailbox $script:Hans -Enabled $true }
        $set.Terminating | Should -BeNullOrEmpty
        $set.Output | Should -HaveCount 1
        $set.Output[0].FolderName | Should -Be 'Kalender'
        $set.Output[0].PublishedICalUrl | Should -Not -BeNullOrEmpty
        Get-SandboxRequest $script:Sandbox | Where-Object { $_ -like '*InvokeCommand*' -and $_.EndsWith(' 400') } | Should -BeNullOrEmpty
    }

    It 'a sharing policy without anonymous publishing is named in the error' {
        # (Issue 20: a refused mailbox is its own non-terminating error; the others go on.)
        $refused = Invoke-Captured { Set-CalendarPublishing -Mailbox $script:Bob -Enabled $true }
        $refused.Terminating | Should -BeNullOrEmpty
        $refused.Errors | Should -HaveCount 1
        $refused.Errors[0].FullyQualifiedErrorId.Split(',')[0] | Should -Be 'ExoKit.Service.NotAllowedPublishingByPolicyException'
        $refused.Errors[0].TargetObject | Should -Be $script:Bob
        $refused.Errors[0].Exception.Message | Should -BeLike '*No Anonymous*'
        $refused.Errors[0].Exception.Message | Should -BeLike "*'Anonymous:' entry*"
    }

    It '-WhatIf changes nothing and says what it would do' {
        Clear-SandboxRequest $script:Sandbox
        $whatIf = Invoke-Captured -HostText { Set-CalendarPublishing -Mailbox $script:Room -Enabled $true -WhatIf }
        $whatIf.Output | Should -BeNullOrEmpty
        $whatIf.Host -split "`r?`n" | Where-Object { $_.StartsWith('What if: Performing the operation') } | Should -Not -BeNullOrEmpty
        Get-SandboxRequest $script:Sandbox | Where-Object { $_ -like '*InvokeCommand*' } | Should -BeNullOrEmpty
    }

    It 'external booking is refused on a user mailbox unless forced' {
        $room = Invoke-Captured { Set-CalendarExternalBooking -Mailbox $script:Room -Enabled $true }
        $room.Terminating | Should -BeNullOrEmpty
        $room.Output | Should -HaveCount 1
        $room.Output[0].RecipientTypeDetails | Should -Be 'RoomMailbox'
        $room.Output[0].ProcessExternalMeetingMessages | Should -BeTrue

        # (Issue 20: the refused mailbox is its own non-terminating error.)
        $user = Invoke-Captured { Set-CalendarExternalBooking -Mailbox $script:Alice -Enabled $true }
        $user.Terminating | Should -BeNullOrEmpty
        Assert-ErrorRecord $user.Errors[0] -ErrorId 'ExoKit.InvalidArgument' -Category 'InvalidArgument'
        $user.Errors[0].Exception.Message | Should -BeLike '*-Force*'
        $user.Errors[0].Exception.Message | Should -BeLike "*$($script:Alice)*"

        @(Set-CalendarExternalBooking -Mailbox $script:Alice -Enabled $true -Force)[0].ProcessExternalMeetingMessages | Should -BeTrue
        @(Set-CalendarExternalBooking -Mailbox $script:Alice -Enabled $false)[0].ProcessExternalMeetingMessages | Should -BeFalse
    }
}
