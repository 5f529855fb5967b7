# Issue 20, item 4: a custom cloud given without -ExchangeEndpoint never sends an Exchange call or
# asks for an Exchange token anywhere (least of all production): the context shows no Exchange
# endpoint and an Exchange cmdlet fails at once, naming -ExchangeEndpoint.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:Sandbox = Start-TestSandbox -SeedFile (Join-Path (Get-TestPath).Seeds 'app-access.json')
    function Get-TokenRequests { @(Get-SandboxRequest $script:Sandbox | Where-Object { $_ -like 'POST */oauth2/v2.0/token*' }).Count }
}

AfterAll {
    Disconnect-ExoKit -WarningAction SilentlyContinue
    Stop-TestSandbox $script:Sandbox
}

Describe 'A custom cloud without -ExchangeEndpoint' {
    BeforeEach { Connect-TestSandbox $script:Sandbox }

    It 'shows no Exchange endpoint in the context' {
        (Get-ExoKitContext).ExchangeEndpoint | Should -BeNullOrEmpty
        (Get-ExoKitContext).ExchangeEndpoint | Should -Not -BeLike '*outlook.office365.com*'
    }

    It 'fails an Exchange cmdlet at once, naming -ExchangeEndpoint, with no token request and no Exchange call' {
        Clear-SandboxRequest $script:Sandbox
        $clock = [Diagnostics.Stopwatch]::StartNew()
        foreach ($call in { Get-CalendarPublishing -Mailbox alice@contoso.onmicrosoft.com }, { Get-ExchangeAppAccessPolicy }, { Test-ExchangeAppAccessPolicy -AppId x -Mailbox alice@contoso.onmicrosoft.com }) {
            $run = Invoke-Captured $call
            $failure = if ($run.Terminating) { $run.Terminating } else { $run.Errors | Select-Object -First 1 }
            $failure | Should -Not -BeNullOrEmpty -Because "$call"
            $failure.FullyQualifiedErrorId | Should -BeLike 'ExoKit.InvalidArgument,*'
            $failure.ToString() | Should -BeLike '*-ExchangeEndpoint*'
            $run.Output | Should -BeNullOrEmpty
        }
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        Get-TokenRequests | Should -Be 0
        Get-SandboxRequest $script:Sandbox | Where-Object { $_ -like '*InvokeCommand*' } | Should -BeNullOrEmpty
    }

    It 'Graph cmdlets still work on it' {
        @(Get-ExchangeAppRoleDefinition).Count | Should -BeGreaterThan 0
    }
}
