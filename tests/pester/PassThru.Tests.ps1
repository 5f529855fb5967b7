# Invoke-ContactMirror's outputs (issue 20, item 13): without -PassThru the run summaries; with
# -PassThru or -WhatIf only the action rows, one type with its table view, and the summaries on
# the information stream (tag MirrorSummary).

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:M = Get-MirrorTenantInfo
}

Describe 'Invoke-ContactMirror -PassThru' {
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'writes only action rows; Group-Object Action has no unnamed group; the summaries are information' {
        $script:Tenant = New-MirrorTenant -NoHubFolder
        Connect-TestSandbox $script:Tenant.Sandbox
        $rows = Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -PassThru -InformationVariable info -InformationAction SilentlyContinue
        $rows | Should -Not -BeNullOrEmpty
        $rows | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ExoKit.MirrorAction' }
        $groups = $rows | Group-Object Action
        $groups.Name | Should -Not -Contain ''
        $groups.Name | Should -Contain 'Create'
        ($rows | Format-Table | Out-String -Width 120) | Should -BeLike '*Action*Outcome*Mailbox*'
        $summaries = @($info | Where-Object { $_.Tags -contains 'MirrorSummary' } | ForEach-Object MessageData)
        $summaries.Step | Should -Be @('Collect', 'Distribute')
        $summaries[0].Created | Should -Be 3
        $summaries[0].ToString() | Should -BeLike '*Collect: created 3*'
    }

    It '-WhatIf returns the plan as action rows only' {
        $script:Tenant = New-MirrorTenant -NoHubFolder
        Connect-TestSandbox $script:Tenant.Sandbox
        $plan = Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -WhatIf -InformationVariable info -InformationAction SilentlyContinue
        $plan | Should -Not -BeNullOrEmpty
        $plan | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ExoKit.MirrorAction' }
        @($info | Where-Object { $_.Tags -contains 'MirrorSummary' }).Count | Should -Be 2
    }

    It 'without -PassThru writes only the summaries' {
        $script:Tenant = New-MirrorTenant -NoHubFolder
        Connect-TestSandbox $script:Tenant.Sandbox
        $out = Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -InformationAction SilentlyContinue
        $out | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'ExoKit.MirrorSummary' }
        $out.Step | Should -Be @('Collect', 'Distribute')
    }
}

Describe 'Invoke-ContactMirror help' {
    It 'OUTPUTS names both types and says when each is written; -PassThru says where the summaries go' {
        $help = Get-Help Invoke-ContactMirror -Full
        $outputs = @($help.returnValues.returnValue)
        $outputs.type.name | Should -Be @('ExoKit.MirrorSummary', 'ExoKit.MirrorAction')
        ($outputs | Where-Object { $_.type.name -eq 'ExoKit.MirrorAction' }).description.Text | Should -BeLike '*-PassThru*'
        (Get-Help Invoke-ContactMirror -Parameter PassThru).description.Text | Should -BeLike '*information stream*MirrorSummary*'
    }
}
