# Issue 20, items 3 and 8: the contact mirror's state file is released before the cmdlet returns,
# however its pipeline ends; -WhatIf and DryRun leave no trace in it (no file created, not a byte
# changed).

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:M = Get-MirrorTenantInfo
    # Six users with three contacts each: a run long enough to be stopped half-way.
    $script:Contacts = @(foreach ($u in 0..5) { , @(foreach ($c in 0..2) { , @("U$u C$c", "u$u.c$c@fabrikam.com") }) })
    function Get-Hash { param([string] $Path) (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }
}

Describe 'The state lock' {
    BeforeEach {
        $script:Tenant = New-MirrorTenant -Contacts $script:Contacts
        Connect-TestSandbox $script:Tenant.Sandbox
        Set-SandboxLatency $script:Tenant.Sandbox -Milliseconds 20
    }
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'is released before Invoke-ContactMirror returns when Select-Object -First stops it' {
        $path = $script:Tenant.StatePath
        foreach ($try in 1..3) {
            $first = Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -PassThru -StatePath $path | Select-Object -First 1
            $first | Should -Not -BeNullOrEmpty
            # At once, on the same file: no ExoKit.StateInUse.
            $state = Invoke-Captured { Get-ContactMirrorState -StatePath $path }
            Assert-Succeeded $state
            $again = Invoke-Captured { Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -PassThru -StatePath $path | Select-Object -First 1 }
            $again.Terminating | Should -BeNullOrEmpty -Because "try $try`n$($again.AllText())"
            $again.Errors | Should -BeNullOrEmpty -Because "try $try`n$($again.AllText())"
        }
    }
}

Describe '-WhatIf and DryRun leave no trace' {
    BeforeEach {
        $script:Tenant = New-MirrorTenant
        Connect-TestSandbox $script:Tenant.Sandbox
    }
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'Invoke-ContactMirror -WhatIf on a fresh machine creates no state file' {
        $path = $script:Tenant.StatePath
        Test-Path -LiteralPath $path | Should -BeFalse
        $plan = Invoke-Captured { Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -StatePath $path -WhatIf }
        Assert-Succeeded $plan
        $plan.Output | Should -Not -BeNullOrEmpty
        Test-Path -LiteralPath $path | Should -BeFalse
        Get-ContactMirrorState -StatePath $path | Should -BeNullOrEmpty
    }

    It 'Invoke-ContactMirror -WhatIf on an existing state changes no byte of it and plans from it' {
        $path = $script:Tenant.StatePath
        Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -StatePath $path | Out-Null
        $before = Get-Hash $path
        $synced = (Get-ContactMirrorState -StatePath $path).LastSynced
        Clear-SandboxRequest $script:Tenant.Sandbox
        $plan = Invoke-Captured { Invoke-ContactMirror -SharedMailbox $script:M.HubUpn -StatePath $path -WhatIf }
        Assert-Succeeded $plan
        # It read by delta from the state's links (the copy's), as a real run would.
        Get-SandboxRequest $script:Tenant.Sandbox | Where-Object { $_ -like '*/delta*' } | Should -Not -BeNullOrEmpty
        Get-Hash $path | Should -Be $before
        (Get-ContactMirrorState -StatePath $path).LastSynced | Should -Be $synced
        # No scratch copy is left behind.
        Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'exokit-dryrun-*' | Should -BeNullOrEmpty
    }

    It 'the drop-in with AUTOMATION_SYNCCONTACTS_DRY_RUN creates no state file' {
        $path = $script:Tenant.StatePath
        $variables = Get-MirrorDropInVariable
        $variables.AUTOMATION_SYNCCONTACTS_DRY_RUN = 'true'
        $run = Invoke-MirrorDropIn -Tenant $script:Tenant -Variables $variables
        $run.ExitCode | Should -Be 0 -Because $run.ToString()
        $run.Stdout | Should -BeLike '*DryRun*'
        Test-Path -LiteralPath $path | Should -BeFalse
    }
}
