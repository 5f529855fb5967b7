# Where the shipped drop-in must behave as the original Automation-ContactsMirroring.ps1 does
# (issue 22), checked in a real pwsh: the drop-in runs as CI runs it (`pwsh -NoProfile -File`),
# and the expected creation-summary order comes from pwsh's own Group-Object and Sort-Object.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    $script:M = Get-MirrorTenantInfo
    $script:Demo = Get-TestDemo

    function Get-TenantJson {
        <# The mirror tenant, valid, then a second tenant without its ClientSecret. #>
        ConvertTo-Json -Compress -Depth 4 @(
            [ordered]@{ TenantId = $script:M.TenantId; ClientId = $script:Demo.AppId; ClientSecret = $script:Demo.Secret; GlobalAddressBookUserId = $script:M.HubUpn }
            [ordered]@{ TenantId = 'fabrikam.onmicrosoft.com'; ClientId = $script:Demo.AppId; GlobalAddressBookUserId = 'hub@fabrikam.onmicrosoft.com' }
        )
    }

    function Get-CreationSummary {
        <#
        .SYNOPSIS
            The drop-in's creation summaries, parsed: the group headers in printed order and the
            records (CreatedBy, TargetUser, TargetFolder, DisplayName) as the original builds them.
        #>
        param([string] $Stdout)
        $headers = [Collections.Generic.List[string]]::new()
        $records = [Collections.Generic.List[object]]::new()
        $items = @{}
        $current = $null
        foreach ($line in $Stdout -split "`r?`n") {
            if ($line -match '^  (\d+) contact\(s\) \| CreatedBy: (.*) \| Target: (.*) \| Folder: (.*)$') {
                $current = "$($Matches[1]) | $($Matches[2]) | $($Matches[3]) | $($Matches[4])"
                $headers.Add($current)
                $items[$current] = [Collections.Generic.List[string]]::new()
                $key = @{ CreatedBy = $Matches[2]; TargetUser = $Matches[3]; TargetFolder = $Matches[4] }
            } elseif ($current -and $line -match '^    - \[(?:Created|WouldCreate)\] (.*) <.*> \| SyncId: ') {
                $items[$current].Add($Matches[1])
                $records.Add([pscustomobject]@{ CreatedBy = $key.CreatedBy; TargetUser = $key.TargetUser; TargetFolder = $key.TargetFolder; DisplayName = $Matches[1] })
            } elseif ($line -notmatch '^    - ') {
                $current = $null
            }
        }
        [pscustomobject]@{ Headers = $headers.ToArray(); Records = $records.ToArray(); Items = $items }
    }
}

Describe 'The drop-in with an invalid tenant among valid ones' {
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'runs the valid tenant, names the invalid one and its field, and exits 1' {
        $script:Tenant = New-MirrorTenant -NoHubFolder
        $run = Invoke-MirrorDropIn $script:Tenant -Variables @{ AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON = Get-TenantJson }
        $run.ExitCode | Should -Be 1 -Because "$run"
        # pwsh wraps and colours the error's lines: read it as one line of plain text.
        $stderr = ($run.Stderr -replace '\x1b\[[0-9;]*m', '' -replace '\s*\r?\n\s*\|?\s*', ' ')
        $stderr.Contains("MicrosoftTenants[1] (TenantId 'fabrikam.onmicrosoft.com'): ClientSecret is required") | Should -BeTrue -Because "$run"
        $run.Stdout | Should -BeLike "*Done for tenant $($script:M.TenantId). Step1 - Created: 3,*" -Because "$run"
        $run.Stdout | Should -Not -BeLike '*Running synccontacts for tenant fabrikam*'
        Get-SandboxWrite $script:Tenant.Sandbox | Where-Object { $_ -like 'POST*/contacts*' } | Should -Not -BeNullOrEmpty
        "$run" | Should -Not -BeLike "*$($script:Demo.Secret)*"
    }

    It 'still stops before any request when the variable is not JSON at all' {
        $script:Tenant = New-MirrorTenant -NoHubFolder
        Clear-SandboxRequest $script:Tenant.Sandbox
        $run = Invoke-MirrorDropIn $script:Tenant -Variables @{ AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON = (Get-TenantJson).TrimEnd(']') }
        $run.ExitCode | Should -Be 1 -Because "$run"
        $run.Stderr | Should -BeLike '*AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON*' -Because "$run"
        Get-SandboxRequest $script:Tenant.Sandbox | Should -BeNullOrEmpty
    }
}

Describe 'The creation summary' {
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'prints its groups in the order pwsh 7.6 Group-Object | Sort-Object Count -Descending gives' {
        # 20 users with 1 to 3 contacts each: many groups of equal size, more than the 16 below
        # which .NET's sort keeps equal items in place; user10 sorts before user2.
        $contacts = foreach ($n in 0..19) {
            , @(foreach ($i in 1..(1 + ($n * 7) % 3)) { , @("P$n-$i", "p$n.$i@fabrikam.com") })
        }
        $script:Tenant = New-MirrorTenant -Contacts $contacts -NoHubFolder
        $run = Invoke-MirrorDropIn $script:Tenant
        $run.ExitCode | Should -Be 0 -Because "$run"
        $summary = Get-CreationSummary $run.Stdout
        $summary.Headers.Count | Should -BeGreaterThan 20 -Because "$run"

        $expected = foreach ($step in 'step1', 'step2') {
            $inStep = $summary.Records | Where-Object { ($_.TargetUser -eq $script:M.HubUpn) -eq ($step -eq 'step1') }
            $inStep | Group-Object -Property CreatedBy, TargetUser, TargetFolder | Sort-Object -Property Count -Descending | ForEach-Object {
                $first = $_.Group[0]
                "$($_.Count) | $($first.CreatedBy) | $($first.TargetUser) | $($first.TargetFolder)"
            }
        }
        $summary.Headers | Should -Be @($expected)
        foreach ($header in $summary.Headers) {
            $names = @($summary.Items[$header])
            $names | Should -Be @($names | ForEach-Object { [pscustomobject]@{ DisplayName = $_ } } | Sort-Object DisplayName | ForEach-Object DisplayName)
        }
    }
}
