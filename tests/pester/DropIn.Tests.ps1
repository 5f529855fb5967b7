# The drop-in script as a CI job runs it: `pwsh -NoProfile -File Automation-ContactsMirroring.ps1`
# in a fresh process with nothing but variables. What a pipeline relies on: the exit code, the log
# lines on stdout in the original's order, errors on stderr and only there.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    $script:M = Get-MirrorTenantInfo
    $script:Demo = Get-TestDemo
    # Lines without terminal colour codes (a CI log viewer renders them; the text is the same).
    function Get-PlainLine { param([string] $Text) ($Text -replace '\x1b\[[0-9;]*m', '') -split "`r?`n" | Where-Object { $_ } }
}

Describe 'Automation-ContactsMirroring.ps1 under pwsh -NoProfile -File' {
    BeforeEach { $script:Tenant = New-MirrorTenant }
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'a clean run exits 0, prints the log lines on stdout in order, and nothing on stderr' {
        $run = Invoke-MirrorDropIn $script:Tenant
        $run.ExitCode | Should -Be 0 -Because $run
        $run.Stderr | Should -BeNullOrEmpty
        $lines = @(Get-PlainLine $run.Stdout)
        $tid = $script:M.TenantId
        $order = @(
            'Loaded configuration from individual environment variables'
            "Running synccontacts for tenant $tid"
            'Step 1: Sync user contacts to shared mailbox All Contacts'
            "Syncing $(Get-MirrorUpn 0) -> $($script:M.HubUpn)"
            'Step 2: Sync shared mailbox All Contacts to user contacts'
            "Syncing $($script:M.HubUpn) -> $(Get-MirrorUpn 0)"
            "Done for tenant $tid. Step1 - Created: 3, Updated: 0, Skipped: 0"
            "Done for tenant $tid. Step2 - Created: 3, Updated: 0, Skipped: 3"
            "Tenant $tid / Step 1 (users -> shared mailbox) creation summary"
            "Tenant $tid / Step 2 (shared mailbox -> users) creation summary"
        ) | ForEach-Object { [array]::IndexOf($lines, $_) }
        $order | Should -Not -Contain -1 -Because ($lines -join "`n")
        $order | Should -Be ($order | Sort-Object) -Because 'the original prints the steps in this order'
        # A second run (the state file kept) changes nothing and still exits 0.
        $again = Invoke-MirrorDropIn $script:Tenant
        $again.ExitCode | Should -Be 0 -Because $again
        $done = @(Get-PlainLine $again.Stdout | Where-Object { $_.StartsWith("Done for tenant $tid.") })
        $done | Should -HaveCount 2
        $done | ForEach-Object { $_ | Should -Match 'Step[12] - Created: 0, Updated: 0, Skipped: \d+$' }
    }

    It 'a configuration error exits 1 with the error on stderr only, and sends nothing' {
        $variables = Get-MirrorDropInVariable
        $variables.AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON = '[{"TenantId": "x",]'
        Clear-SandboxRequest $script:Tenant.Sandbox
        $run = Invoke-MirrorDropIn $script:Tenant $variables
        $run.ExitCode | Should -Be 1 -Because $run
        $errors = @(Get-PlainLine $run.Stderr)
        $errors | Where-Object { $_ -like '*AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON*' } | Should -Not -BeNullOrEmpty
        $run.Stdout | Should -Not -BeLike '*AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON*'
        Get-SandboxRequest $script:Tenant.Sandbox | Should -BeNullOrEmpty
    }

    It 'no configuration at all exits 1 naming the variables it reads' {
        $run = Invoke-DropIn -Sandbox $script:Tenant.Sandbox -StatePath $script:Tenant.StatePath
        $run.ExitCode | Should -Be 1 -Because $run
        $run.Stderr | Should -BeLike '*AUTOMATION_SYNCCONTACTS_*'
        Get-SandboxWrite $script:Tenant.Sandbox | Should -BeNullOrEmpty
    }

    It 'a write that fails for one mailbox: the others finish, the failure is on stderr, exit 1' {
        Remove-MirrorTenant $script:Tenant
        $script:Tenant = New-MirrorTenant -DeniedUser 0
        $run = Invoke-MirrorDropIn $script:Tenant
        $run.ExitCode | Should -Be 1 -Because $run
        $run.Stderr | Should -BeLike "*$(Get-MirrorUpn 0)*"
        $run.Stdout | Should -Not -BeLike '*ErrorAccessDenied*'
        Get-PlainLine $run.Stdout | Should -Contain "Syncing $($script:M.HubUpn) -> $(Get-MirrorUpn 1)"
    }
}
