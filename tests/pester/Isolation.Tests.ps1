# Issue 20, items 1 and 16: connections belong to runspaces. ForEach-Object -Parallel and thread
# jobs each keep their own; a runspace that never connected uses the session's default (the
# primary runspace's) or none, never a sibling's; -Connection names one explicitly; Remove-Module
# disconnects. Two sandboxes play two tenants: each request log shows which tenant was read.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:Module = (Get-TestPath).Module
    $script:A = Start-TestSandbox
    $script:B = Start-TestSandbox
    $script:ParamsA = Get-TestConnectParameter $script:A
    $script:ParamsB = Get-TestConnectParameter $script:B

    # How many role-definition reads a tenant (sandbox) answered since it was last cleared.
    function Get-RoleReads { param($Sandbox) @(Get-SandboxRequest $Sandbox | Where-Object { $_ -like 'GET /beta/roleManagement/exchange/roleDefinitions*' }).Count }
    function Clear-Both { Clear-SandboxRequest $script:A; Clear-SandboxRequest $script:B }
}

AfterAll {
    Disconnect-ExoKit -WarningAction SilentlyContinue
    Stop-TestSandbox $script:A
    Stop-TestSandbox $script:B
}

Describe 'Connections per runspace' {
    BeforeEach { Disconnect-ExoKit -WarningAction SilentlyContinue }

    It 'parallel runspaces that connect at the same time each keep and read their own tenant' {
        Connect-ExoKit @script:ParamsA
        Clear-Both
        $seen = 1..6 | ForEach-Object -ThrottleLimit 6 -Parallel {
            Import-Module $using:Module
            $mine = if ($_ % 2) { $using:ParamsA } else { $using:ParamsB }
            Connect-ExoKit @mine
            Start-Sleep -Milliseconds 300   # every sibling has connected by now
            $roles = @(Get-ExchangeAppRoleDefinition)
            [pscustomobject]@{ N = $_; Wanted = $mine.GraphEndpoint; Used = (Get-ExoKitContext).GraphEndpoint; Roles = $roles.Count }
        }
        $seen | Should -HaveCount 6
        foreach ($row in $seen) {
            $row.Used | Should -BeLike "$($row.Wanted)*" -Because "runspace $($row.N) connected to $($row.Wanted)"
            $row.Roles | Should -Be 14
        }
        (Get-RoleReads $script:A) | Should -Be 3
        (Get-RoleReads $script:B) | Should -Be 3
        # The primary runspace still has its own connection.
        (Get-ExoKitContext).GraphEndpoint | Should -BeLike "$($script:A.BaseUrl)*"
    }

    It 'a runspace that never connected uses the session default: connect once, then -Parallel' {
        Connect-ExoKit @script:ParamsB
        Clear-Both
        $counts = 1..3 | ForEach-Object -ThrottleLimit 3 -Parallel {
            Import-Module $using:Module
            @(Get-ExchangeAppRoleDefinition).Count
        }
        $counts | Should -Be @(14, 14, 14)
        (Get-RoleReads $script:B) | Should -Be 3
        (Get-RoleReads $script:A) | Should -Be 0
    }

    It "a runspace that never connected never uses a sibling's connection" {
        # The primary runspace is not connected: the default is none.
        $connected = [Threading.ManualResetEventSlim]::new($false)
        $done = [Threading.ManualResetEventSlim]::new($false)
        try {
            $seen = 1..2 | ForEach-Object -ThrottleLimit 2 -Parallel {
                Import-Module $using:Module
                $connected = $using:connected; $done = $using:done
                if ($_ -eq 1) {
                    $p = $using:ParamsB
                    Connect-ExoKit @p
                    $connected.Set()
                    [void]$done.Wait(20000)
                    "connected: $((Get-ExoKitContext).GraphEndpoint)"
                } else {
                    [void]$connected.Wait(20000)
                    $context = Get-ExoKitContext
                    try { Get-ExchangeAppRoleDefinition -ErrorAction Stop | Out-Null; $outcome = 'read' } catch { $outcome = $_.FullyQualifiedErrorId }
                    $done.Set()
                    "sibling: context=[$context] outcome=$outcome"
                }
            }
        } finally {
            $connected.Dispose(); $done.Dispose()
        }
        $seen | Should -Contain "connected: $($script:B.BaseUrl)/"
        $seen | Should -Contain 'sibling: context=[] outcome=ExoKit.NotConnected,ExoKit.GetExchangeAppRoleDefinition'
        Get-ExoKitContext | Should -BeNullOrEmpty
    }

    It "a thread job's Connect-ExoKit and Disconnect-ExoKit never change the primary runspace's connection" {
        Connect-ExoKit @script:ParamsA
        $job = Start-ThreadJob -ScriptBlock {
            Import-Module $using:Module
            $p = $using:ParamsB
            Connect-ExoKit @p
            $inside = (Get-ExoKitContext).GraphEndpoint
            Disconnect-ExoKit
            $inside
        }
        $inside = $job | Wait-Job -Timeout 60 | Receive-Job
        $job | Remove-Job -Force
        $inside | Should -BeLike "$($script:B.BaseUrl)*"
        Clear-Both
        (Get-ExoKitContext).GraphEndpoint | Should -BeLike "$($script:A.BaseUrl)*"
        @(Get-ExchangeAppRoleDefinition).Count | Should -Be 14
        (Get-RoleReads $script:A) | Should -Be 1
        (Get-RoleReads $script:B) | Should -Be 0
    }
}

Describe '-Connection' {
    BeforeEach { Disconnect-ExoKit -WarningAction SilentlyContinue }

    It 'every cmdlet that works on a connection takes -Connection' {
        $local = 'Connect-ExoKit', 'Get-ContactMirrorState', 'Reset-ContactMirrorState'
        $missing = Get-Command -Module ExoKit | Where-Object { $local -notcontains $_.Name -and -not $_.Parameters.ContainsKey('Connection') }
        $missing.Name | Should -BeNullOrEmpty
    }

    It 'runs a cmdlet on the connection Connect-ExoKit -PassThru returned, whatever the runspace uses' {
        $a = Connect-ExoKit @script:ParamsA -PassThru
        $b = Connect-ExoKit @script:ParamsB -PassThru
        (Get-ExoKitContext).GraphEndpoint | Should -BeLike "$($script:B.BaseUrl)*"
        (Get-ExoKitContext -Connection $a).GraphEndpoint | Should -BeLike "$($script:A.BaseUrl)*"
        Clear-Both
        @(Get-ExchangeAppRoleDefinition -Connection $a).Count | Should -Be 14
        (Get-RoleReads $script:A) | Should -Be 1
        (Get-RoleReads $script:B) | Should -Be 0
        # A parallel runspace can be handed one explicitly.
        $viaParallel = 1 | ForEach-Object -Parallel { Import-Module $using:Module; (Get-ExoKitContext -Connection $using:a).GraphEndpoint }
        $viaParallel | Should -BeLike "$($script:A.BaseUrl)*"
        Disconnect-ExoKit -Connection $a
        { Get-ExchangeAppRoleDefinition -Connection $a -ErrorAction Stop } | Should -Throw -ErrorId 'ExoKit.NotConnected,*'
        (Get-ExoKitContext).GraphEndpoint | Should -BeLike "$($script:B.BaseUrl)*"
    }
}

Describe 'Remove-Module' {
    It 'disconnects: a later import starts without a connection' {
        Connect-ExoKit @script:ParamsA
        Get-ExoKitContext | Should -Not -BeNullOrEmpty
        Remove-Module ExoKit
        Import-Module $script:Module
        Get-ExoKitContext | Should -BeNullOrEmpty
        { Get-ExchangeAppRoleDefinition -ErrorAction Stop } | Should -Throw -ErrorId 'ExoKit.NotConnected,*'
    }
}
