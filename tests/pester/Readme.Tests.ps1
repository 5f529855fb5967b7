# Issue 20, items 14 and 17: the README's seed-003 example runs as written against the committed
# seed (tests/sandbox/seeds/rbac-003.json); the drop-in imports quietly under -Verbose.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
}

Describe "The README's seed-003 example" {
    BeforeAll { $script:Sandbox = Start-TestSandbox -SeedFile (Join-Path (Get-TestPath).Seeds 'rbac-003.json') }
    AfterAll {
        Disconnect-ExoKit -WarningAction SilentlyContinue
        Stop-TestSandbox $script:Sandbox
    }

    It 'runs as written and gives Nestor (in Developers) access and Adele none' {
        $readme = Get-Content -Raw -LiteralPath (Join-Path (Get-TestPath).Root 'README.md')
        $section = $readme.Substring($readme.IndexOf('## RBAC for Applications (seed 003)'))
        $block = [regex]::Match($section, '```powershell\r?\n(?<code>.*?)```', 'Singleline').Groups['code'].Value
        $block | Should -BeLike '*New-ExchangeApp*'
        # What the README says to set first, then the block as it is.
        $url = $script:Sandbox.BaseUrl
        $setup = "`$adminAppId = '$((Get-TestDemo).AppId)'; `$secret = Get-TestSecret; `$url = '$url'`n" +
            '$endpoints = @{ GraphEndpoint = $url; AuthorityHost = $url; ExchangeEndpoint = "$url/outlook.office365.com/" }' + "`n"
        $run = Invoke-Captured ([scriptblock]::Create($setup + $block))
        Assert-Succeeded $run
        $verdicts = @($run.Output | Where-Object { $_.PSObject.TypeNames[0] -eq 'ExoKit.ExchangeAppAccess' })
        $verdicts | Should -HaveCount 3
        ($verdicts | Where-Object { $_.Mailbox -eq 'nestorw@contoso.onmicrosoft.com' -and $_.Method -ne 'Probe' }).Access | Should -Be 'Granted'
        ($verdicts | Where-Object { $_.Mailbox -eq 'adelev@contoso.onmicrosoft.com' }).Access | Should -Be 'Denied'
        ($verdicts | Where-Object Method -EQ 'Probe').Access | Should -Be 'Granted'
    }
}

Describe 'The drop-in with -Verbose' {
    It 'imports the module quietly' {
        $tenant = New-MirrorTenant
        try {
            $run = Invoke-TestPwsh -File (Get-TestPath).DropIn -ArgumentList '-Verbose' -Environment (@{
                    AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT = $tenant.Sandbox.BaseUrl
                    AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST = $tenant.Sandbox.BaseUrl
                    AUTOMATION_SYNCCONTACTS_STATE_PATH     = $tenant.StatePath
                } + (Get-MirrorDropInVariable))
            $run.ExitCode | Should -Be 0 -Because $run.ToString()
            $run.ToString() | Should -Not -Match '(?i)(Exporting|Importing) (cmdlet|function|alias)'
        } finally { Remove-MirrorTenant $tenant }
    }
}
