# Issue 20, items 5, 6, 7, 9 and 11 (dates): what an admin sees in an 80-column console (the deciding columns
# of each default view), progress bars that end, help that reads like the platform's own, and
# tab completion for -Permission and -Role.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:Sandbox = Start-TestSandbox -SeedFile (Join-Path (Get-TestPath).Seeds 'app-access.json')
    Connect-TestSandbox $script:Sandbox -Extra @{ ExchangeEndpoint = "$($script:Sandbox.BaseUrl)/outlook.office365.com/" }
    $script:Alice = 'alice@contoso.onmicrosoft.com'
    $script:Bob = 'bob@contoso.onmicrosoft.com'

    # The default view at a console's width, as lines.
    function Get-View { param([Parameter(ValueFromPipeline)] $InputObject, [int] $Width = 80) end { @($input) | Out-String -Width $Width | ForEach-Object { $_ -split "`r?`n" } } }
    function Get-Header { param([string[]] $Lines) $Lines | Where-Object { $_ -match '\S' } | Select-Object -First 1 }
}

AfterAll {
    Disconnect-ExoKit -WarningAction SilentlyContinue
    Stop-TestSandbox $script:Sandbox
}

Describe 'Default views at 80 columns' {
    It 'Test-ExchangeAppAccess shows the verdict (Access) for every row' {
        $rows = Test-ExchangeAppAccess -App 'Calendar Sync' -Mailbox $script:Alice, $script:Bob -Permission Calendars.Read
        $lines = $rows | Get-View
        (Get-Header $lines) -split '\s+' | Should -Contain 'Access'
        (Get-Header $lines) -split '\s+' | Should -Contain 'Mailbox'
        ($lines | Where-Object { $_ -match "^(Granted|Denied)\s+$([regex]::Escape($script:Alice))" }) | Should -Not -BeNullOrEmpty -Because ($lines -join "`n")
        ($lines | Where-Object { $_.Length -gt 80 }) | Should -BeNullOrEmpty
        # The details are in the list view.
        ($rows[0] | Format-List | Out-String -Width 80) | Should -BeLike '*Reason*'
    }

    It 'Get-ExchangeAppAccessReport shows Access, Flag and Via' {
        $rows = Get-ExchangeAppAccessReport -Mailbox $script:Alice
        $header = Get-Header ($rows | Get-View)
        foreach ($column in 'Access', 'Flag', 'Via', 'Mailbox') { $header -split '\s+' | Should -Contain $column -Because $header }
        ($rows[0] | Format-List | Out-String -Width 80) | Should -BeLike '*Reason*'
    }

    It 'Get-ExchangeAppRoleAssignment shows App, Role, Scope and Id, and the whole Id at 120 columns' {
        $made = New-ExchangeAppRoleAssignment -App 'Calendar Sync' -Role 'Application Calendars.Read' -User $script:Alice
        try {
            $header = Get-Header (Get-ExchangeAppRoleAssignment | Get-View)
            foreach ($column in 'App', 'Role', 'Scope', 'Id') { $header -split '\s+' | Should -Contain $column -Because $header }
            $wide = Get-ExchangeAppRoleAssignment -Id $made.Id | Get-View -Width 120
            ($wide | Where-Object { $_.Contains($made.Id) }) | Should -Not -BeNullOrEmpty -Because ($wide -join "`n")
        } finally {
            $made | Remove-ExchangeAppRoleAssignment -Confirm:$false
        }
    }

    It 'Get-ExchangeAppRoleDefinition keeps Permissions on one line' {
        $lines = Get-ExchangeAppRoleDefinition | Get-View
        ($lines | Where-Object { $_ -match '^Application Calendars\.Read\s+Calendars\.Read\b' }) | Should -Not -BeNullOrEmpty -Because ($lines -join "`n")
        # No column so narrow that a value wraps a letter per line.
        ($lines | Where-Object { $_ -match '^\s+\S{1,2}$' }) | Should -BeNullOrEmpty -Because ($lines -join "`n")
    }
}

Describe 'Progress' {
    It 'every progress bar a cmdlet shows is completed when it ends' {
        $ps = [powershell]::Create()
        try {
            [void]$ps.AddScript("Import-Module '$((Get-TestPath).Module)'; Get-ExchangeAppRoleDefinition")
            [void]$ps.Invoke()
            $records = @($ps.Streams.Progress)
            $records | Should -Not -BeNullOrEmpty
            $records[-1].RecordType | Should -Be 'Completed'
            foreach ($activity in $records.Activity | Sort-Object -Unique) {
                ($records | Where-Object { $_.Activity -eq $activity -and $_.RecordType -eq 'Completed' }) | Should -Not -BeNullOrEmpty -Because $activity
            }
        } finally { $ps.Dispose() }
    }
}

Describe 'Help' {
    It 'SYNTAX shows [-WhatIf] [-Confirm] for the ShouldProcess cmdlets, and -WhatIf has its own help' {
        $syntax = (Get-Help Set-CalendarPublishing).syntax | Out-String -Width 400
        $syntax | Should -BeLike '*`[-WhatIf`] `[-Confirm`]*'
        (Get-Help Set-CalendarPublishing -Parameter WhatIf).name | Should -Be 'WhatIf'
        foreach ($cmdlet in Get-Command -Module ExoKit | Where-Object { $_.Parameters.ContainsKey('WhatIf') }) {
            ((Get-Help $cmdlet.Name).syntax | Out-String -Width 400) | Should -BeLike '*-WhatIf*' -Because $cmdlet.Name
        }
    }

    It 'shows types as an admin reads them, never Nullable`1' {
        foreach ($cmdlet in Get-Command -Module ExoKit) {
            (Get-Help $cmdlet.Name -Full | Out-String -Width 400) | Should -Not -BeLike '*Nullable`1*' -Because $cmdlet.Name
        }
        (Get-Help Set-CalendarPublishing -Parameter Enabled | Out-String) | Should -BeLike '*-Enabled <Boolean>*'
    }

    It 'INPUTS and OUTPUTS are filled for every cmdlet' {
        foreach ($cmdlet in Get-Command -Module ExoKit) {
            $help = Get-Help $cmdlet.Name -Full
            @($help.inputTypes.inputType).Count | Should -BeGreaterThan 0 -Because "$($cmdlet.Name) INPUTS"
            @($help.returnValues.returnValue).Count | Should -BeGreaterThan 0 -Because "$($cmdlet.Name) OUTPUTS"
        }
        (Get-Help Get-CalendarPublishing -Full).returnValues.returnValue.type.name | Should -Be 'ExoKit.CalendarPublishing'
        (Get-Help Get-CalendarPublishing -Full).inputTypes.inputType.type.name | Should -Contain 'String[]'
    }

    It 'names no seed or how-to an admin never saw' {
        foreach ($cmdlet in Get-Command -Module ExoKit) {
            (Get-Help $cmdlet.Name -Full | Out-String -Width 400) | Should -Not -Match '(?i)\bseed \d{3}|how-to of' -Because $cmdlet.Name
        }
    }
}

Describe 'Tab completion' {
    It 'completes -Permission' {
        $line = 'Test-ExchangeAppAccess -App x -Mailbox y -Permission Calendars.R'
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $found | Should -Contain 'Calendars.Read'
        $found | Should -Contain 'Calendars.ReadWrite'
    }

    It 'completes -Role' {
        $line = 'New-ExchangeAppRoleAssignment -App x -Tenant -Role Mail.R'
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $found | Should -Contain "'Application Mail.Read'"
        $line = 'New-ExchangeApp -DisplayName x -Tenant -Role App'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain "'Application Calendars.Read'"
    }
}

Describe 'Dates are dates' {
    It 'Get-ExoKitContext: ConnectedAt and TokenExpiresOn are DateTime (UTC), so they compare as dates' {
        $context = Get-ExoKitContext
        $context.ConnectedAt | Should -BeOfType [datetime]
        $context.TokenExpiresOn | Should -BeOfType [datetime]
        $context.ConnectedAt.Kind | Should -Be 'Utc'
        $context.TokenExpiresOn | Should -BeGreaterThan $context.ConnectedAt
        ($context | Where-Object ConnectedAt -GT ([datetime]::UtcNow.AddHours(-1))) | Should -Not -BeNullOrEmpty
    }

    It "Get-ContactMirrorState: LastSynced is a DateTime" {
        $tenant = New-MirrorTenant
        try {
            Connect-TestSandbox $tenant.Sandbox
            Invoke-ContactMirror -SharedMailbox (Get-MirrorTenantInfo).HubUpn -StatePath $tenant.StatePath | Out-Null
            $rows = @(Get-ContactMirrorState -StatePath $tenant.StatePath)
            $rows | Should -Not -BeNullOrEmpty
            $rows | ForEach-Object { $_.LastSynced | Should -BeOfType [datetime] }
            ($rows | Sort-Object LastSynced -Descending)[0].LastSynced | Should -BeLessOrEqual ([datetime]::UtcNow.AddMinutes(1))
        } finally {
            Remove-MirrorTenant $tenant
            Connect-TestSandbox $script:Sandbox -Extra @{ ExchangeEndpoint = "$($script:Sandbox.BaseUrl)/outlook.office365.com/" }
        }
    }
}
