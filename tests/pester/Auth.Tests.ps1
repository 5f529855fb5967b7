# Connect-ExoKit with each credential kind, as an admin or a pipeline types it, against a tenant
# whose automation app has a certificate (PFX and PEM), an expired certificate, a federated
# credential and managed identities; the errors of each kind; no secret anywhere; and the drop-in
# on a GitLab id token and on a certificate. (Ported from AuthTests.cs.)

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:T = New-AuthTenant
    $script:Demo = Get-TestDemo
    $script:Tenant = $script:Demo.Tenant
    $script:App = $script:Demo.AppId
    $script:Endpoints = @{ GraphEndpoint = $script:T.Sandbox.BaseUrl; AuthorityHost = $script:T.Sandbox.BaseUrl }

    # A Graph token got elsewhere (here: from the sandbox with the app's secret), as Get-AzAccessToken would give.
    function Get-HeldGraphToken {
        $form = @{ grant_type = 'client_credentials'; client_id = $script:App; client_secret = $script:Demo.Secret; scope = 'https://graph.microsoft.com/.default' }
        (Invoke-RestMethod -Method POST -Uri "$($script:T.Sandbox.BaseUrl)/$($script:Tenant)/oauth2/v2.0/token" -Body $form).access_token
    }

    # Each credential kind as the line an admin types (positional TenantId and ClientId as people
    # write them); secrets come in as SecureStrings, never as text on the line. Each takes more
    # parameters as a hashtable (-Verbose, -PassThru).
    function Get-EveryKind {
        $password = Get-TestSecret $script:T.PfxPassword
        $oidc = Get-TestSecret (Get-AuthFederatedToken $script:T)
        $held = Get-TestSecret (Get-HeldGraphToken)
        $tokenFile = Join-Path $script:T.Dir 'federated-token'
        Set-Content -LiteralPath $tokenFile -Value (Get-AuthFederatedToken $script:T)
        $e = $script:Endpoints
        $base = $script:T.Sandbox.BaseUrl
        $header = Get-AuthIdentityHeader $script:T
        # (Closures see locals, not $script: variables.)
        $tenant = $script:Tenant; $app = $script:App; $t = $script:T
        [ordered]@{
            'Certificate (PFX)'  = { param([hashtable] $x = @{}) Connect-ExoKit $tenant $app -CertificatePath $t.PfxPath -CertificatePassword $password @e @x }.GetNewClosure()
            'Certificate (PEM)'  = { param([hashtable] $x = @{}) Connect-ExoKit $tenant $app -CertificatePath $t.CertPemPath -CertificateKeyPath $t.KeyPemPath @e @x }.GetNewClosure()
            'FederatedTokenFile' = { param([hashtable] $x = @{}) Connect-ExoKit $tenant $app -FederatedTokenFile $tokenFile @e @x }.GetNewClosure()
            'FederatedToken'     = { param([hashtable] $x = @{}) Connect-ExoKit $tenant $app -FederatedToken $oidc @e @x }.GetNewClosure()
            'ManagedIdentity (IMDS, system)' = {
                param([hashtable] $x = @{})
                $env:AZURE_POD_IDENTITY_AUTHORITY_HOST = $base
                try { Connect-ExoKit $tenant -ManagedIdentity @e @x } finally { $env:AZURE_POD_IDENTITY_AUTHORITY_HOST = $null }
            }.GetNewClosure()
            'ManagedIdentity (App Service, user-assigned)' = {
                param([hashtable] $x = @{})
                $env:IDENTITY_ENDPOINT = "$base/msi/token"; $env:IDENTITY_HEADER = $header
                try { Connect-ExoKit $tenant -ManagedIdentity -ClientId $t.UserIdentity @e @x } finally { $env:IDENTITY_ENDPOINT = $null; $env:IDENTITY_HEADER = $null }
            }.GetNewClosure()
            'AccessToken'        = { param([hashtable] $x = @{}) Connect-ExoKit $tenant -AccessToken $held @e @x }.GetNewClosure()
        }
    }
}

AfterAll {
    Remove-AuthTenant $script:T
}

Describe 'Credential kinds' {
    It 'every credential kind connects and lists role definitions' {
        $kinds = Get-EveryKind
        $kinds.Count | Should -Be 7
        foreach ($kind in $kinds.Keys) {
            $connected = Invoke-Captured $kinds[$kind]
            $connected.Terminating | Should -BeNullOrEmpty -Because "$kind`: $connected"
            $expected = if ($kind -eq 'FederatedTokenFile') { 'FederatedToken' } else { $kind.Split(' ')[0] }
            @(Get-ExoKitContext)[0].AuthType | Should -Be $expected -Because $kind
            $roles = Invoke-Captured { Get-ExchangeAppRoleDefinition }
            $roles.Terminating | Should -BeNullOrEmpty -Because "$kind`: $roles"
            $roles.Output | Should -HaveCount 14 -Because $kind
        }
        $requests = Get-SandboxRequest $script:T.Sandbox
        $requests | Where-Object { $_.StartsWith('GET /metadata/identity/oauth2/token?') -and $_.EndsWith(' 200') } | Should -Not -BeNullOrEmpty
        $requests | Where-Object { $_.StartsWith('GET /msi/token?') -and $_.Contains($script:T.UserIdentity) -and $_.EndsWith(' 200') } | Should -Not -BeNullOrEmpty
    }

    It 'an expired certificate, a wrong password, an unreadable file, an unknown cloud and a thumbprint each say so' {
        $password = Get-TestSecret $script:T.PfxPassword
        $wrongPassword = Get-TestSecret 'Wrong-Pa55-9x'
        $e = $script:Endpoints

        $expired = Invoke-Captured { Connect-ExoKit $script:Tenant $script:App -CertificatePath $script:T.ExpiredPfxPath -CertificatePassword $password @e }
        Assert-ErrorRecord $expired.Terminating -ErrorId 'ExoKit.InvalidArgument' -Category 'InvalidArgument'
        $expired.Terminating.Exception.Message | Should -BeLike '*expired on*'
        $expired.Terminating.Exception.Message | Should -BeLike '*expired.pfx*'

        $wrong = Invoke-Captured { Connect-ExoKit $script:Tenant $script:App -CertificatePath $script:T.PfxPath -CertificatePassword $wrongPassword @e }
        $wrong.Terminating | Should -Not -BeNullOrEmpty
        $wrong.Terminating.Exception.Message | Should -BeLike '*password*'
        $wrong.AllText() | Should -Not -BeLike '*Wrong-Pa55-9x*'

        $missing = Invoke-Captured { Connect-ExoKit $script:Tenant $script:App -FederatedTokenFile ./no-such-token-file @e }
        $missing.Terminating | Should -Not -BeNullOrEmpty
        $missing.Terminating.Exception.Message | Should -BeLike '*FederatedTokenFile*'
        $missing.Terminating.Exception.Message | Should -BeLike '*no-such-token-file*'

        $cloud = Invoke-Captured { Connect-ExoKit $script:Tenant $script:App -CertificatePath $script:T.PfxPath -CertificatePassword $password -Environment AzureMars }
        $cloud.Terminating | Should -Not -BeNullOrEmpty
        $cloud.Terminating.Exception.Message | Should -BeLike '*AzureMars*'
        $cloud.Terminating.Exception.Message | Should -BeLike '*USGovDoD*'

        $thumbprint = Invoke-Captured { Connect-ExoKit $script:Tenant $script:App -CertificateThumbprint 0123456789ABCDEF0123456789ABCDEF01234567 @e }
        $thumbprint.Terminating | Should -Not -BeNullOrEmpty
        $thumbprint.Terminating.Exception.Message | Should -BeLike '*-CertificatePath*'
    }

    It 'a federated token for another branch is refused with the AADSTS reason' {
        $other = Get-TestSecret (Get-AuthFederatedToken $script:T -Subject 'project_path:infra/contacts:ref_type:branch:ref:feature')
        $e = $script:Endpoints
        $refused = Invoke-Captured { Connect-ExoKit $script:Tenant $script:App -FederatedToken $other @e }
        Assert-ErrorRecord $refused.Terminating -ErrorId 'ExoKit.AuthenticationFailed' -Category 'AuthenticationError'
        $refused.Terminating.Exception.Message | Should -BeLike '*AADSTS70021*'
    }

    It 'parameter sets keep credentials apart' {
        $names = (Get-Command Connect-ExoKit).ParameterSets.Name | Sort-Object
        $names | Should -Be ('ClientSecret', 'ClientSecretCredential', 'CertificatePath', 'CertificateThumbprint', 'ManagedIdentity', 'FederatedTokenFile', 'FederatedToken', 'AccessToken' | Sort-Object)
        $both = Invoke-Captured { Connect-ExoKit $script:Tenant $script:App -ManagedIdentity -FederatedTokenFile x }
        $both.Terminating.FullyQualifiedErrorId | Should -Be 'AmbiguousParameterSet,ExoKit.ConnectExoKit'
    }

    It 'no secret, password, assertion or token appears in any stream, error or log' {
        $header = Get-AuthIdentityHeader $script:T
        $kinds = Get-EveryKind
        $oidc = Get-AuthFederatedToken $script:T
        $held = Get-HeldGraphToken
        $secrets = [Collections.Generic.List[string]]@($script:T.PfxPassword, $header, $script:Demo.Secret, $oidc, $held, 'Wrong-Pa55-9x')
        # The PEM key's body, line by line (any line of it would be a leak).
        $secrets.AddRange([string[]]@($script:T.KeyPem -split "`n" | Where-Object { $_.Length -gt 40 -and -not $_.StartsWith('-----') }))
        $wrongPassword = Get-TestSecret 'Wrong-Pa55-9x'
        $heldAsFederated = Get-TestSecret $held
        $e = $script:Endpoints
        $lines = @($kinds.Values | ForEach-Object { $line = $_; { & $line @{ Verbose = $true; PassThru = $true } }.GetNewClosure() })
        $lines += { Connect-ExoKit $script:Tenant $script:App -CertificatePath $script:T.PfxPath -CertificatePassword $wrongPassword -Verbose @e }
        $lines += { Connect-ExoKit $script:Tenant $script:App -FederatedToken $heldAsFederated -Verbose @e }

        $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
        $Error.Clear()
        $seen = [Text.StringBuilder]::new()
        foreach ($line in $lines) {
            [void]$seen.AppendLine((Get-StreamText $line))
            [void]$seen.AppendLine((Get-StreamText { Get-ExoKitContext | Format-List * | Out-String -Width 200; Get-ExchangeAppRoleDefinition -Verbose | Out-String -Width 120 }))
        }
        [void]$seen.AppendLine(($Error | ForEach-Object { $_ | Format-List * -Force | Out-String -Width 500; $_.Exception | Format-List * -Force | Out-String -Width 500 }) -join "`n")
        [void]$seen.AppendLine((Get-SandboxRequest $script:T.Sandbox) -join "`n")
        $VerbosePreference = 'SilentlyContinue'; $DebugPreference = 'SilentlyContinue'; $InformationPreference = 'SilentlyContinue'

        $everything = $seen.ToString()
        $everything | Should -BeLike '*Requesting a token*'
        $everything | Should -BeLike '*managed identity*'
        $everything | Should -BeLike '*AADSTS*'
        foreach ($secret in $secrets) {
            $everything.Contains($secret, [StringComparison]::Ordinal) | Should -BeFalse -Because "a secret of $($secret.Length) characters leaked"
        }
        $everything | Should -Not -BeLike '*sbx.*'
        $everything | Should -Not -BeLike '*Bearer *'
        $everything | Should -Not -BeLike '*eyJ*'
    }
}

Describe 'The drop-in script on other credentials' {
    It 'runs on a GitLab id token and on a certificate without printing either' {
        $token = Get-AuthFederatedToken $script:T
        $gitlab = @{
            AUTOMATION_SYNCCONTACTS_TENANT_ID                   = $script:Tenant
            AUTOMATION_SYNCCONTACTS_CLIENT_ID                   = $script:App
            AUTOMATION_SYNCCONTACTS_FEDERATED_TOKEN             = $token
            AUTOMATION_SYNCCONTACTS_GLOBAL_ADDRESS_BOOK_USER_ID = 'allcontacts@contoso.onmicrosoft.com'
            AUTOMATION_SYNCCONTACTS_DRY_RUN                     = 'true'
        }
        $run = Invoke-DropIn -Sandbox $script:T.Sandbox -Variables $gitlab
        $run.ExitCode | Should -Be 0 -Because $run
        $run.Stdout | Should -BeLike '*DryRun*'
        $run.ToString() | Should -Not -BeLike "*$token*"

        $config = @{
            MicrosoftTenants = @(@{
                    TenantId = $script:Tenant; ClientId = $script:App; GlobalAddressBookUserId = 'allcontacts@contoso.onmicrosoft.com'
                    CertificatePath = $script:T.PfxPath; CertificatePassword = $script:T.PfxPassword
                })
            DryRun           = $true
        } | ConvertTo-Json -Depth 5 -Compress
        $run = Invoke-DropIn -Sandbox $script:T.Sandbox -Variables @{ AUTOMATION_SYNCCONTACTS_CONFIG_JSON = $config }
        $run.ExitCode | Should -Be 0 -Because $run
        $run.ToString() | Should -Not -BeLike "*$($script:T.PfxPassword)*"
    }
}
