# The first errors an admin meets: one clear terminating error each, with a stable id; and no
# secret or token in any stream, error or request log. (Ported from ErrorTests.cs and SecretTests.cs.)

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:Sandbox = Start-TestSandbox
    $script:Demo = Get-TestDemo
    $script:ThrowAway = Get-TestSecret 'x'

    function Get-UnusedPort {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        $port
    }
}

AfterAll {
    Stop-TestSandbox $script:Sandbox
}

Describe 'Connect-ExoKit errors' {
    It 'a wrong secret names the tenant and the AADSTS reason' {
        $output = $null
        $record = { $script:output = Connect-TestSandbox $script:Sandbox -Secret 'not-the-secret' } | Should -Throw -PassThru
        Assert-ErrorRecord $record -ErrorId 'ExoKit.AuthenticationFailed' -Category 'AuthenticationError'
        $record.Exception.Message | Should -BeLike "*Authentication to tenant '$($script:Demo.Tenant)' failed*"
        $record.Exception.Message | Should -BeLike '*AADSTS7000215: Invalid client secret provided*'
        $record.TargetObject | Should -Be $script:Demo.Tenant
        $script:output | Should -BeNullOrEmpty
    }

    It 'an unreachable endpoint names the URL' {
        $url = "http://127.0.0.1:$(Get-UnusedPort)"
        $record = { Connect-ExoKit -ClientSecret $script:ThrowAway -TenantId $script:Demo.Tenant -ClientId $script:Demo.AppId -GraphEndpoint $url -AuthorityHost $url } |
            Should -Throw -PassThru
        Assert-ErrorRecord $record -ErrorId 'ExoKit.EndpointUnreachable' -Category 'ConnectionError'
        $record.Exception.Message | Should -BeLike "*Cannot reach $url/$($script:Demo.Tenant)/oauth2/v2.0/token*"
    }

    It 'an unknown environment names the parameter and the choices' {
        $record = { Connect-ExoKit -ClientSecret $script:ThrowAway -TenantId t -ClientId c -Environment Mars } | Should -Throw -PassThru
        Assert-ErrorRecord $record -ErrorId 'ExoKit.InvalidArgument' -Category 'InvalidArgument'
        $record.Exception.Message | Should -BeLike '*Environment*'
        $record.Exception.Message | Should -BeLike '*USGovDoD*'
    }

    It 'plain http is refused for a remote host' {
        $record = { Connect-ExoKit -ClientSecret $script:ThrowAway -TenantId t -ClientId c -GraphEndpoint http://graph.example.com } | Should -Throw -PassThru
        Assert-ErrorRecord $record -ErrorId 'ExoKit.InvalidArgument' -Category 'InvalidArgument'
        $record.Exception.Message | Should -BeLike '*GraphEndpoint*'
        $record.Exception.Message | Should -BeLike '*loopback*'
    }

    It 'missing mandatory parameters are a binding error, not a prompt, in a CI pwsh' {
        # A fresh `pwsh -NonInteractive`, as a pipeline runs it: a prompt would wait on stdin instead.
        $run = Invoke-TestPwsh -TimeoutSeconds 60 -Command "Import-Module '$((Get-TestPath).Module)'; try { Connect-ExoKit -TenantId t -ClientId c } catch { 'caught ' + `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.GetType().Name }"
        $run.Stdout | Should -Not -BeLike '*Supply values*'
        $run.Stdout.Trim() | Should -Be 'caught MissingMandatoryParameter,ExoKit.ConnectExoKit ParameterBindingException'
    }
}

Describe 'Secrets' {
    It 'secrets and tokens appear nowhere: streams, formatted output, $Error, variables, request log' {
        $wrongSecret = 'WrongSecret-4f9c2d7e1b'
        Clear-SandboxRequest $script:Sandbox
        $seen = [Text.StringBuilder]::new()
        $VerbosePreference = 'Continue'
        $DebugPreference = 'Continue'
        $Error.Clear()
        [void]$seen.AppendLine((Get-StreamText { Connect-TestSandbox $script:Sandbox -Extra @{ Verbose = $true; PassThru = $true } | Format-List * | Out-String -Width 200 }))
        [void]$seen.AppendLine((Get-StreamText { Get-ExoKitContext | Format-List * | Out-String -Width 200 }))
        [void]$seen.AppendLine((Get-StreamText { Get-ExoKitContext | ConvertTo-Json -Depth 5 }))
        [void]$seen.AppendLine((Get-StreamText { Get-ExchangeAppRoleDefinition -Verbose | Format-Table | Out-String -Width 120 }))
        [void]$seen.AppendLine((Get-StreamText { Connect-TestSandbox $script:Sandbox -Secret $wrongSecret -Extra @{ Verbose = $true } }))
        [void]$seen.AppendLine(($Error | ForEach-Object { $_ | Format-List * -Force | Out-String -Width 500; $_.Exception | Format-List * -Force | Out-String -Width 500 }) -join "`n")
        [void]$seen.AppendLine((Get-Variable | Where-Object Name -NotIn 'wrongSecret', 'Demo' | Out-String -Width 500))
        [void]$seen.AppendLine((Get-SandboxRequest $script:Sandbox) -join "`n")
        $VerbosePreference = 'SilentlyContinue'
        $DebugPreference = 'SilentlyContinue'

        $everything = $seen.ToString()
        $everything | Should -BeLike '*Requesting a token*'
        $everything | Should -BeLike '*AADSTS7000215*'
        $everything | Should -Not -BeLike "*$($script:Demo.Secret)*"
        $everything | Should -Not -BeLike "*$wrongSecret*"
        $everything | Should -Not -BeLike '*sbx.*'
        $everything | Should -Not -BeLike '*Bearer*'
    }
}
