<#
.SYNOPSIS
    Shared helpers of the Pester suite: the sandbox tenant as a child process and its /_sandbox
    control routes, seeds for the test tenants, connecting ExoKit to a sandbox, running the shipped
    drop-in script in a fresh `pwsh -NoProfile -File`, and temporary state paths.
.DESCRIPTION
    `cargo xtask test` sets EXOKIT_MODULE (out/ExoKit/ExoKit.psd1) and EXOKIT_SANDBOX (the sandbox
    binary); without them the paths are found from the repository. Import in a file's BeforeAll:
        Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
#>

Set-StrictMode -Version 3.0

$script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path

# The demo seed's tenant and apps (a fake tenant's fake secrets).
$script:Demo = [pscustomobject]@{
    Tenant        = 'contoso.onmicrosoft.com'
    AppId         = '0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f'
    Secret        = 'sandbox-demo-secret-Zq8~vX2pL7wN4kR9'
    NoRolesAppId  = '8c2e4f6a-1b3d-4c5e-8f7a-9b0c1d2e3f4a'
    NoRolesSecret = 'sandbox-noroles-secret-H3j5K7m9'
}

function Get-TestDemo {
    <# The demo seed's tenant, app id and secret, and the app without roles. #>
    $script:Demo
}

function Get-TestPath {
    <# Where things are: Root, Module (the manifest), ModuleDir, Sandbox (binary), DropIn, Seeds, Repository. #>
    $target = if ($env:CARGO_TARGET_DIR) { $env:CARGO_TARGET_DIR } else { Join-Path $script:Root 'target' }
    $module = if ($env:EXOKIT_MODULE) { $env:EXOKIT_MODULE } else { Join-Path $script:Root 'out/ExoKit/ExoKit.psd1' }
    $exe = if ($IsWindows) { 'exokit-sandbox.exe' } else { 'exokit-sandbox' }
    $sandbox = if ($env:EXOKIT_SANDBOX) { $env:EXOKIT_SANDBOX } else { Join-Path $target "debug/$exe" }
    $moduleDir = Split-Path $module -Parent
    [pscustomobject]@{
        Root      = $script:Root
        Module    = $module
        ModuleDir = $moduleDir
        Sandbox   = $sandbox
        DropIn    = Join-Path $moduleDir 'scripts/Automation-ContactsMirroring.ps1'
        Seeds     = Join-Path $script:Root 'tests/sandbox/seeds'
        # Where `cargo xtask package` publishes ExoKit.<version>.nupkg (a local file repository).
        Repository = if ($env:EXOKIT_REPOSITORY) { $env:EXOKIT_REPOSITORY } else { Join-Path $script:Root 'out/repository' }
    }
}

function Get-TestPwsh {
    <#
    .SYNOPSIS
        The pwsh this test runs in, as a program and the arguments before pwsh's own: the apphost,
        or `dotnet <pwsh.dll>` when the suite itself was started that way.
    #>
    $program = [Environment]::ProcessPath
    $prefix = @()
    if ([IO.Path]::GetFileNameWithoutExtension($program) -eq 'dotnet') {
        $prefix = @([Reflection.Assembly]::GetEntryAssembly().Location)
    }
    [pscustomobject]@{ Program = $program; Prefix = $prefix }
}

function New-TestTempPath {
    <# A fresh path under the temp folder (nothing created), e.g. a state file: -Extension .sqlite. #>
    param([string] $Prefix = 'exokit-test', [string] $Extension = '')
    Join-Path ([IO.Path]::GetTempPath()) ("{0}-{1}{2}" -f $Prefix, [guid]::NewGuid().ToString('N'), $Extension)
}

function New-TestStatePath {
    <# A contact mirror state file of the test's own, never the user's real one. #>
    New-TestTempPath -Prefix 'exokit-state' -Extension '.sqlite'
}

function Remove-TestStatePath {
    param([string] $Path)
    foreach ($file in @($Path, "$Path-journal", "$Path-wal", "$Path-shm")) {
        if ($file -and (Test-Path -LiteralPath $file)) { Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue }
    }
}

#region The sandbox process

function Start-TestSandbox {
    <#
    .SYNOPSIS
        Starts the sandbox tenant as a child process and returns it, with BaseUrl, HttpsUrl, CaFile.
    .PARAMETER Seed
        A seed as an object or hashtable (written to a temporary file), or -SeedFile; neither: the demo seed.
    .PARAMETER ArgumentList
        More sandbox flags, e.g. '--latency', '40ms'.
    #>
    param(
        [object] $Seed,
        [string] $SeedFile,
        [string[]] $ArgumentList = @()
    )
    $paths = Get-TestPath
    $ownSeed = $null
    if ($null -ne $Seed) {
        $ownSeed = New-TestTempPath -Prefix 'exokit-seed' -Extension '.json'
        [IO.File]::WriteAllText($ownSeed, ($Seed | ConvertTo-Json -Depth 32 -Compress))
        $SeedFile = $ownSeed
    }
    $start = [Diagnostics.ProcessStartInfo]::new($paths.Sandbox)
    $start.ArgumentList.Add('--stop-on-stdin-eof')
    if ($SeedFile) { $start.ArgumentList.Add('--seed'); $start.ArgumentList.Add($SeedFile) }
    foreach ($argument in $ArgumentList) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    $banner = $process.StandardOutput.ReadLine()
    if (-not $banner) {
        $process.WaitForExit(5000) | Out-Null
        throw "the sandbox ($($paths.Sandbox)) exited before printing its address"
    }
    $parsed = $banner | ConvertFrom-Json
    [pscustomobject]@{
        PSTypeName = 'ExoKit.TestSandbox'
        Process    = $process
        BaseUrl    = $parsed.baseUrl
        HttpsUrl   = $parsed.httpsUrl
        CaFile     = $parsed.caFile
        SeedFile   = $SeedFile
        OwnSeed    = $ownSeed
    }
}

function Stop-TestSandbox {
    param([Parameter(ValueFromPipeline)] [object] $Sandbox)
    process {
        if ($null -eq $Sandbox) { return }
        if (-not $Sandbox.Process.HasExited) {
            $Sandbox.Process.Kill()
            $Sandbox.Process.WaitForExit()
        }
        $Sandbox.Process.Dispose()
        if ($Sandbox.OwnSeed) { Remove-Item -LiteralPath $Sandbox.OwnSeed -Force -ErrorAction SilentlyContinue }
    }
}

function Invoke-SandboxControl {
    <# A /_sandbox/... control call; -Body is sent as JSON. Returns the parsed answer. #>
    param(
        [Parameter(Mandatory)] [object] $Sandbox,
        [ValidateSet('GET', 'PUT', 'POST', 'DELETE')] [string] $Method = 'GET',
        [Parameter(Mandatory)] [string] $Path,
        [object] $Body
    )
    $call = @{ Uri = "$($Sandbox.BaseUrl)$Path"; Method = $Method }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $call.Body = $Body | ConvertTo-Json -Depth 16 -Compress
        $call.ContentType = 'application/json'
    }
    Invoke-RestMethod @call
}

function Set-SandboxLatency {
    param([Parameter(Mandatory)] [object] $Sandbox, [Parameter(Mandatory)] [int] $Milliseconds)
    Invoke-SandboxControl $Sandbox -Method PUT -Path '/_sandbox/latency' -Body @{ ms = $Milliseconds } | Out-Null
}

function Set-SandboxReplicationLag {
    <# How long new applications and service principals stay invisible (Entra ID replication). #>
    param([Parameter(Mandatory)] [object] $Sandbox, [Parameter(Mandatory)] [int] $Milliseconds)
    Invoke-SandboxControl $Sandbox -Method PUT -Path '/_sandbox/directory/replication-lag' -Body @{ ms = $Milliseconds } | Out-Null
}

function Get-SandboxRequest {
    <# The request log as "METHOD path?query status" lines. #>
    param([Parameter(Mandatory)] [object] $Sandbox)
    # Invoke-RestMethod hands the JSON array over as one object: foreach enumerates it.
    $log = Invoke-SandboxControl $Sandbox -Path '/_sandbox/requests'
    foreach ($entry in $log) {
        $query = if ($entry.query) { "?$($entry.query)" } else { '' }
        "$($entry.method) $($entry.path)$query $($entry.status)"
    }
}

function Clear-SandboxRequest {
    param([Parameter(Mandatory)] [object] $Sandbox)
    Invoke-SandboxControl $Sandbox -Method DELETE -Path '/_sandbox/requests' | Out-Null
}

function Get-SandboxWrite {
    <# Requests that wrote something (POST, PATCH, DELETE), batch items included; no $batch envelope, no token call. #>
    param([Parameter(Mandatory)] [object] $Sandbox)
    Get-SandboxRequest $Sandbox | Where-Object { $_ -match '^(POST|PATCH|DELETE) ' -and $_ -notmatch '/\$batch' -and $_ -notmatch '/oauth2/' }
}

#endregion

#region Connecting

function Get-TestSecret {
    <# A SecureString built the way a script would. #>
    param([string] $Secret = $script:Demo.Secret)
    [Net.NetworkCredential]::new('', $Secret).SecurePassword
}

function Get-TestConnectParameter {
    <# Connect-ExoKit's parameters for a sandbox: splat them, add or override any. #>
    param(
        [Parameter(Mandatory)] [object] $Sandbox,
        [string] $AppId = $script:Demo.AppId,
        [string] $Secret = $script:Demo.Secret,
        [string] $TenantId = $script:Demo.Tenant
    )
    @{
        TenantId      = $TenantId
        ClientId      = $AppId
        ClientSecret  = Get-TestSecret $Secret
        GraphEndpoint = $Sandbox.BaseUrl
        AuthorityHost = $Sandbox.BaseUrl
    }
}

function Connect-TestSandbox {
    <# Connect-ExoKit to a sandbox as the demo app (or -AppId/-Secret); more parameters in -Extra. #>
    param(
        [Parameter(Mandatory)] [object] $Sandbox,
        [string] $AppId = $script:Demo.AppId,
        [string] $Secret = $script:Demo.Secret,
        [hashtable] $Extra = @{}
    )
    $parameters = Get-TestConnectParameter -Sandbox $Sandbox -AppId $AppId -Secret $Secret
    foreach ($key in $Extra.Keys) { $parameters[$key] = $Extra[$key] }
    Connect-ExoKit @parameters
}

#endregion

#region Tenants

function Get-MirrorUserId { param([int] $N) 'a0a0a0a0-0000-4000-8000-{0:D12}' -f $N }
function Get-MirrorUpn { param([int] $N) "user$N@contoso.onmicrosoft.com" }

$script:Mirror = [pscustomobject]@{
    TenantId = '6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91'
    HubId    = 'c0c0c0c0-0000-4000-8000-0000000000cc'
    HubUpn   = 'allcontacts@contoso.onmicrosoft.com'
    # Two users' contacts, the tests' usual small tenant: (given name, email) pairs per user.
    TwoUsers = @(
        , @(@('Ann', 'ann@fabrikam.com'), @('Bo', 'bo@fabrikam.com'))
        , @(, @('Cy', 'cy@fabrikam.com'))
    )
}

function Get-MirrorTenantInfo {
    <# TenantId, HubId, HubUpn and TwoUsers of the mirror tenant. #>
    $script:Mirror
}

function New-MirrorSeed {
    <#
    .SYNOPSIS
        A seed for the contact mirror: users with contacts, a shared hub mailbox (with its
        "All Contacts" folder unless -NoHubFolder), optionally a user the app is denied by an
        Application Access Policy.
    .PARAMETER Contacts
        Each user's contacts as (given name, email) pairs; default TwoUsers.
    #>
    param(
        [object[]] $Contacts = $script:Mirror.TwoUsers,
        [switch] $NoHubFolder,
        [int] $DeniedUser = -1
    )
    $users = [Collections.Generic.List[object]]::new()
    for ($n = 0; $n -lt $Contacts.Count; $n++) {
        $list = @(foreach ($pair in $Contacts[$n]) {
                [ordered]@{ givenName = $pair[0]; surname = 'Test'; emailAddresses = @(@{ address = $pair[1] }) }
            })
        $users.Add([ordered]@{ id = Get-MirrorUserId $n; userPrincipalName = Get-MirrorUpn $n; licenses = @('sku-e3'); contacts = $list })
    }
    # (Assigned, not returned from an if: PowerShell would unroll a one-item array.)
    $folders = @()
    if (-not $NoHubFolder) { $folders = @(@{ displayName = 'All Contacts' }) }
    $users.Add([ordered]@{ id = $script:Mirror.HubId; userPrincipalName = $script:Mirror.HubUpn; mailbox = 'shared'; contactFolders = $folders })
    $tenant = [ordered]@{
        id     = $script:Mirror.TenantId
        domain = $script:Demo.Tenant
        apps   = @([ordered]@{
                appId = $script:Demo.AppId; displayName = 'ExoKit Automation'; secrets = @($script:Demo.Secret)
                roles = @('User.Read.All', 'Contacts.ReadWrite')
            })
        users  = $users.ToArray()
    }
    if ($DeniedUser -ge 0) {
        $tenant.groups = @([ordered]@{
                id = 'd0d0d0d0-0000-4000-8000-0000000000dd'; displayName = 'No ExoKit'; mail = 'no-exokit@contoso.onmicrosoft.com'
                mailEnabled = $true; securityEnabled = $true; members = @(Get-MirrorUpn $DeniedUser)
            })
        $tenant.exchange = @{ applicationAccessPolicies = @(@{
                    AppId = $script:Demo.AppId; PolicyScopeGroupId = 'no-exokit@contoso.onmicrosoft.com'; AccessRight = 'DenyAccess'
                }) }
    }
    @{ tenants = @($tenant) }
}

function New-MirrorTenant {
    <#
    .SYNOPSIS
        A sandbox of its own serving New-MirrorSeed's tenant, and a state file of its own:
        AUTOMATION_SYNCCONTACTS_STATE_PATH points at it until Remove-MirrorTenant.
        Returns Sandbox, StatePath.
    #>
    param([object[]] $Contacts = $script:Mirror.TwoUsers, [switch] $NoHubFolder, [int] $DeniedUser = -1)
    $sandbox = Start-TestSandbox -Seed (New-MirrorSeed -Contacts $Contacts -NoHubFolder:$NoHubFolder -DeniedUser $DeniedUser)
    $state = New-TestStatePath
    $tenant = [pscustomobject]@{ Sandbox = $sandbox; StatePath = $state; PreviousStatePath = $env:AUTOMATION_SYNCCONTACTS_STATE_PATH }
    $env:AUTOMATION_SYNCCONTACTS_STATE_PATH = $state
    $tenant
}

function Remove-MirrorTenant {
    param([object] $Tenant)
    if ($null -eq $Tenant) { return }
    Stop-TestSandbox $Tenant.Sandbox
    $env:AUTOMATION_SYNCCONTACTS_STATE_PATH = $Tenant.PreviousStatePath
    Remove-TestStatePath $Tenant.StatePath
}

function Invoke-MirrorDropIn {
    <# The drop-in against a mirror tenant (its sandbox and state file) with these variables. #>
    param([Parameter(Mandatory)] [object] $Tenant, [hashtable] $Variables = (Get-MirrorDropInVariable))
    Invoke-DropIn -Sandbox $Tenant.Sandbox -Variables $Variables -StatePath $Tenant.StatePath
}

function Get-MirrorDropInVariable {
    <# The single-tenant variables of the original script for the mirror tenant. #>
    @{
        AUTOMATION_SYNCCONTACTS_TENANT_ID                   = $script:Mirror.TenantId
        AUTOMATION_SYNCCONTACTS_CLIENT_ID                   = $script:Demo.AppId
        AUTOMATION_SYNCCONTACTS_CLIENT_SECRET               = $script:Demo.Secret
        AUTOMATION_SYNCCONTACTS_GLOBAL_ADDRESS_BOOK_USER_ID = $script:Mirror.HubUpn
    }
}

$script:Rbac = [pscustomobject]@{
    TenantId     = '6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91'
    Nestor       = 'nestorw@contoso.onmicrosoft.com'
    Adele        = 'adelev@contoso.onmicrosoft.com'
    Lee          = 'leeg@contoso.onmicrosoft.com'
    Megan        = 'meganb@contoso.onmicrosoft.com'
    Alex         = 'alexw@contoso.onmicrosoft.com'
    DevelopersId = 'ad000000-0000-4000-8000-0000000000de'
    SalesId      = '5a000000-0000-4000-8000-00000000005a'
    UserIds      = @{
        'nestorw@contoso.onmicrosoft.com' = '74db2ae6-6aa4-4160-8c2a-c93d4f1cfafa'
        'adelev@contoso.onmicrosoft.com'  = '61b0c52f-a902-4769-9a09-c6628335b00a'
        'leeg@contoso.onmicrosoft.com'    = '1ee00000-0000-4000-8000-000000000001'
        'meganb@contoso.onmicrosoft.com'  = '4e600000-0000-4000-8000-000000000002'
        'alexw@contoso.onmicrosoft.com'   = 'a1e00000-0000-4000-8000-000000000003'
    }
}

function Get-AppRbacTenantInfo {
    <# Seed 003's people and ids: Nestor in the Developers unit, Adele outside; Lee in Sales, Megan outside; Alex. #>
    $script:Rbac
}

function New-AppRbacSeed {
    <# Seed 003's tenant: the admin app with the Graph and Exchange permissions ExoKit needs, a reader without roles. #>
    $r = $script:Rbac
    $user = { param($upn, $name) [ordered]@{ id = $r.UserIds[$upn]; userPrincipalName = $upn; displayName = $name; licenses = @('sku-e3') } }
    @{ tenants = @([ordered]@{
                id                  = $r.TenantId
                domain              = $script:Demo.Tenant
                apps                = @(
                    [ordered]@{ appId = $script:Demo.AppId; displayName = 'ExoKit Automation'; secrets = @($script:Demo.Secret)
                        roles = @('RoleManagement.ReadWrite.Exchange', 'Application.ReadWrite.All', 'Directory.Read.All', 'User.Read.All', 'Exchange.ManageAsApp') }
                    [ordered]@{ appId = $script:Demo.NoRolesAppId; displayName = 'Reader Without Roles'; secrets = @($script:Demo.NoRolesSecret)
                        roles = @('User.Read.All') }
                )
                users               = @(
                    & $user $r.Nestor 'Nestor Wilke'; & $user $r.Adele 'Adele Vance'; & $user $r.Lee 'Lee Gu'
                    & $user $r.Megan 'Megan Bowen'; & $user $r.Alex 'Alex Wilber')
                groups              = @([ordered]@{ id = $r.SalesId; displayName = 'Sales'; mail = 'sales@contoso.onmicrosoft.com'
                        mailEnabled = $true; securityEnabled = $true; members = @($r.Lee) })
                administrativeUnits = @([ordered]@{ id = $r.DevelopersId; displayName = 'Developers'; members = @($r.UserIds[$r.Nestor]) })
                exchange            = @{ servicePrincipals = @(@{ AppId = $script:Demo.AppId; DisplayName = 'ExoKit Automation' }) }
            }) }
}

function Invoke-GraphAsApp {
    <#
    .SYNOPSIS
        A real Graph call as an app, outside ExoKit (its own token from the sandbox's token
        endpoint, by secret or by a certificate-signed assertion): the HTTP status the sandbox's
        access rules give.
    #>
    param(
        [Parameter(Mandatory)] [object] $Sandbox,
        [Parameter(Mandatory)] [string] $AppId,
        [string] $Secret,
        [Security.Cryptography.X509Certificates.X509Certificate2] $Certificate,
        [Parameter(Mandatory)] [string] $Path,
        [string] $TenantId = $script:Rbac.TenantId
    )
    $tokenUrl = "$($Sandbox.BaseUrl)/$TenantId/oauth2/v2.0/token"
    $form = @{ grant_type = 'client_credentials'; client_id = $AppId; scope = 'https://graph.microsoft.com/.default' }
    if ($Certificate) {
        $form.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
        $form.client_assertion = New-TestClientAssertion -Certificate $Certificate -AppId $AppId -Audience $tokenUrl
    } else {
        $form.client_secret = $Secret
    }
    $login = Invoke-WebRequest -Uri $tokenUrl -Method POST -Body $form -SkipHttpErrorCheck
    if ($login.StatusCode -ne 200) { throw "the app could not sign in: $($login.StatusCode)" }
    $token = ($login.Content | ConvertFrom-Json).access_token
    (Invoke-WebRequest -Uri "$($Sandbox.BaseUrl)$Path" -Headers @{ Authorization = "Bearer $token" } -SkipHttpErrorCheck).StatusCode
}

function ConvertTo-Base64Url { param([byte[]] $Bytes) [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') }

function New-TestClientAssertion {
    <# A client assertion (RS256, x5t) signed by the certificate's private key. #>
    param([Parameter(Mandatory)] $Certificate, [Parameter(Mandatory)] [string] $AppId, [Parameter(Mandatory)] [string] $Audience)
    $utf8 = [Text.Encoding]::UTF8
    $x5t = ConvertTo-Base64Url ([Security.Cryptography.SHA1]::HashData($Certificate.RawData))
    $header = ConvertTo-Base64Url $utf8.GetBytes((@{ alg = 'RS256'; typ = 'JWT'; x5t = $x5t } | ConvertTo-Json -Compress))
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $claims = ConvertTo-Base64Url $utf8.GetBytes((@{ aud = $Audience; iss = $AppId; sub = $AppId; jti = [guid]::NewGuid().ToString(); nbf = $now; exp = $now + 600 } | ConvertTo-Json -Compress))
    $rsa = [Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Certificate)
    $signature = $rsa.SignData([Text.Encoding]::ASCII.GetBytes("$header.$claims"), [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
    "$header.$claims.$(ConvertTo-Base64Url $signature)"
}

function New-TestCertificate {
    <# A self-signed RSA certificate (with its key), valid from -NotBefore to -NotAfter. #>
    param([datetimeoffset] $NotBefore = [DateTimeOffset]::UtcNow.AddDays(-1), [datetimeoffset] $NotAfter = [DateTimeOffset]::UtcNow.AddYears(1))
    $key = [Security.Cryptography.RSA]::Create(2048)
    $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=ExoKit PowerShell test (sandbox only)', $key,
        [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $request.CreateSelfSigned($NotBefore, $NotAfter)
}

function New-AuthTenant {
    <#
    .SYNOPSIS
        The demo tenant with every credential kind on its automation app: a certificate (a PFX with
        a password, and PEM files), an expired certificate, a federated credential for a GitLab-like
        issuer, a system- and a user-assigned managed identity with the same roles. Started; stop
        with Remove-AuthTenant. Certificates are made here; nothing is committed.
    #>
    $dir = New-TestTempPath -Prefix 'exokit-auth'
    New-Item -ItemType Directory -Path $dir | Out-Null
    $t = [ordered]@{
        Issuer         = 'https://gitlab.example.com'
        Subject        = 'project_path:infra/contacts:ref_type:branch:ref:main'
        SystemIdentity = '5e5e5e5e-0000-4000-8000-00000000005e'
        UserIdentity   = '7a7a7a7a-0000-4000-8000-00000000007a'
        PfxPassword    = 'Pfx-Pa55word-only-in-tests-8Hq'
        Dir            = $dir
    }
    $cert = New-TestCertificate
    $expired = New-TestCertificate -NotBefore ([DateTimeOffset]::UtcNow.AddYears(-2)) -NotAfter ([DateTimeOffset]::UtcNow.AddDays(-30))
    $pfx = [Security.Cryptography.X509Certificates.X509ContentType]::Pkcs12
    $t.PfxPath = Join-Path $dir 'app.pfx'
    [IO.File]::WriteAllBytes($t.PfxPath, $cert.Export($pfx, $t.PfxPassword))
    $t.CertPemPath = Join-Path $dir 'app.crt.pem'
    [IO.File]::WriteAllText($t.CertPemPath, $cert.ExportCertificatePem())
    $t.KeyPem = [Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($cert).ExportPkcs8PrivateKeyPem()
    $t.KeyPemPath = Join-Path $dir 'app.key.pem'
    [IO.File]::WriteAllText($t.KeyPemPath, $t.KeyPem)
    $t.ExpiredPfxPath = Join-Path $dir 'expired.pfx'
    [IO.File]::WriteAllBytes($t.ExpiredPfxPath, $expired.Export($pfx, $t.PfxPassword))
    $t.Certificate = $cert

    $seed = Get-Content -Raw (Join-Path (Get-TestPath).Seeds 'demo.json') | ConvertFrom-Json -AsHashtable
    $apps = [Collections.Generic.List[object]]::new()
    $apps.AddRange([object[]]$seed.tenants[0].apps)
    $app = $apps[0]
    $app.certificates = @([Convert]::ToBase64String($cert.RawData), [Convert]::ToBase64String($expired.RawData))
    $app.federatedCredentials = @(@{ issuer = $t.Issuer; subject = $t.Subject })
    foreach ($pair in @(@($t.SystemIdentity, 'system'), @($t.UserIdentity, 'user'))) {
        $apps.Add([ordered]@{ appId = $pair[0]; displayName = "identity $($pair[1])"; roles = @($app.roles); managedIdentity = $pair[1] })
    }
    $seed.tenants[0].apps = $apps.ToArray()
    $seedFile = Join-Path $dir 'seed.json'
    [IO.File]::WriteAllText($seedFile, ($seed | ConvertTo-Json -Depth 32))
    $t.Sandbox = Start-TestSandbox -SeedFile $seedFile
    [pscustomobject]$t
}

function Get-AuthFederatedToken {
    <# A token from the sandbox's external issuer, as a GitLab job's id_tokens entry. #>
    param([Parameter(Mandatory)] [object] $AuthTenant, [string] $Subject = $AuthTenant.Subject)
    (Invoke-SandboxControl $AuthTenant.Sandbox -Method POST -Path '/_sandbox/federated-token' -Body @{ issuer = $AuthTenant.Issuer; subject = $Subject }).token
}

function Get-AuthIdentityHeader {
    <# What an App Service host puts in IDENTITY_HEADER. #>
    param([Parameter(Mandatory)] [object] $AuthTenant)
    (Invoke-SandboxControl $AuthTenant.Sandbox -Path '/_sandbox/managed-identity').identityHeader
}

function Remove-AuthTenant {
    param([object] $AuthTenant)
    if ($null -eq $AuthTenant) { return }
    Stop-TestSandbox $AuthTenant.Sandbox
    Remove-Item -LiteralPath $AuthTenant.Dir -Recurse -Force -ErrorAction SilentlyContinue
}

#endregion

#region Fresh processes

function Invoke-TestPwsh {
    <#
    .SYNOPSIS
        Runs a fresh `pwsh -NoProfile` (the one this suite runs in) and returns ExitCode, Stdout,
        Stderr. Either -File (a script, then -ArgumentList) or -Command.
    .PARAMETER Environment
        Variables to set; a $null value removes one. Every AUTOMATION_SYNCCONTACTS_* variable and the
        proxy variables of this process are removed first unless -KeepEnvironment.
    #>
    param(
        [string] $File,
        [string] $Command,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [switch] $KeepEnvironment,
        [int] $TimeoutSeconds = 120
    )
    $pwsh = Get-TestPwsh
    $start = [Diagnostics.ProcessStartInfo]::new($pwsh.Program)
    foreach ($a in $pwsh.Prefix) { $start.ArgumentList.Add($a) }
    foreach ($a in @('-NoLogo', '-NoProfile', '-NonInteractive')) { $start.ArgumentList.Add($a) }
    if ($File) {
        $start.ArgumentList.Add('-File'); $start.ArgumentList.Add($File)
        foreach ($a in $ArgumentList) { $start.ArgumentList.Add($a) }
    } else {
        $start.ArgumentList.Add('-Command'); $start.ArgumentList.Add($Command)
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    if (-not $KeepEnvironment) {
        $network = 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'SSL_CERT_FILE'
        foreach ($name in @($start.Environment.Keys)) {
            if ($name -like 'AUTOMATION_SYNCCONTACTS_*' -or $network -contains $name) { [void]$start.Environment.Remove($name) }
        }
    }
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { [void]$start.Environment.Remove($name) } else { $start.Environment[$name] = [string]$Environment[$name] }
    }
    $process = [Diagnostics.Process]::Start($start)
    try {
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "pwsh did not finish in $TimeoutSeconds s"
        }
        $process.WaitForExit()
        [pscustomobject]@{
            PSTypeName = 'ExoKit.TestRun'
            ExitCode   = $process.ExitCode
            Stdout     = $stdout.GetAwaiter().GetResult()
            Stderr     = $stderr.GetAwaiter().GetResult()
        } | Add-Member -MemberType ScriptMethod -Name ToString -Force -PassThru -Value {
            "exit $($this.ExitCode)`n--- stdout`n$($this.Stdout)`n--- stderr`n$($this.Stderr)"
        }
    } finally {
        $process.Dispose()
    }
}

function Invoke-DropIn {
    <#
    .SYNOPSIS
        Runs the shipped drop-in script as CI runs it, `pwsh -NoProfile -File
        Automation-ContactsMirroring.ps1`, against a sandbox with exactly these variables (plus the
        sandbox's endpoints and a state path). Returns ExitCode, Stdout, Stderr.
    #>
    param(
        [Parameter(Mandatory)] [object] $Sandbox,
        [hashtable] $Variables = @{},
        [string] $StatePath,
        [string[]] $ArgumentList = @()
    )
    $environment = @{
        AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT = $Sandbox.BaseUrl
        AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST = $Sandbox.BaseUrl
        AUTOMATION_SYNCCONTACTS_STATE_PATH     = if ($StatePath) { $StatePath } else { New-TestStatePath }
    }
    foreach ($name in $Variables.Keys) { $environment[$name] = $Variables[$name] }
    Invoke-TestPwsh -File (Get-TestPath).DropIn -ArgumentList $ArgumentList -Environment $environment
}

#endregion

#region Error records

function Assert-ErrorRecord {
    <# The record exists, has the stable id (before the command name PowerShell appends) and the category. #>
    param([object] $Record, [Parameter(Mandatory)] [string] $ErrorId, [Parameter(Mandatory)] [string] $Category)
    if ($null -eq $Record) { throw "expected an error record $ErrorId, got none" }
    if (-not $Record.FullyQualifiedErrorId.StartsWith("$ErrorId,")) {
        throw "expected error id '$ErrorId,…', got '$($Record.FullyQualifiedErrorId)': $Record"
    }
    if ($Record.CategoryInfo.Category.ToString() -ne $Category) {
        throw "expected category $Category for $ErrorId, got $($Record.CategoryInfo.Category)"
    }
}

function Invoke-Captured {
    <#
    .SYNOPSIS
        Runs a script block as an admin's command line and sorts what it wrote: Output (objects),
        Errors (non-terminating), Terminating (the error a try/catch would catch, or $null),
        Warnings, Verbose, Information (strings), and with -HostText what reached the console
        (What if: lines, Write-Host, tables sent to Out-Host), read through a transcript.
        Variables the block sets stay in the block: return what a later step needs.
    #>
    param([Parameter(Mandatory, Position = 0)] [scriptblock] $ScriptBlock, [switch] $HostText)
    $result = [pscustomobject]@{
        PSTypeName  = 'ExoKit.TestCapture'
        Output      = [Collections.Generic.List[object]]::new()
        Errors      = [Collections.Generic.List[Management.Automation.ErrorRecord]]::new()
        Terminating = $null
        Warnings    = [Collections.Generic.List[string]]::new()
        Verbose     = [Collections.Generic.List[string]]::new()
        Information = [Collections.Generic.List[string]]::new()
        Host        = ''
    }
    $transcript = $null
    if ($HostText) {
        $transcript = New-TestTempPath -Prefix 'exokit-host' -Extension '.txt'
        Start-Transcript -LiteralPath $transcript -UseMinimalHeader | Out-Null
    }
    try {
        & $ScriptBlock *>&1 | ForEach-Object {
            switch ($_) {
                { $_ -is [Management.Automation.ErrorRecord] } { $result.Errors.Add($_); break }
                { $_ -is [Management.Automation.WarningRecord] } { $result.Warnings.Add($_.Message); break }
                { $_ -is [Management.Automation.VerboseRecord] } { $result.Verbose.Add($_.Message); break }
                { $_ -is [Management.Automation.DebugRecord] } { break }
                { $_ -is [Management.Automation.InformationRecord] } { $result.Information.Add([string]$_.MessageData); break }
                default { $result.Output.Add($_) }
            }
        }
    } catch {
        $result.Terminating = $_
    } finally {
        if ($transcript) {
            Stop-Transcript | Out-Null
            $result.Host = Get-Content -Raw -LiteralPath $transcript
            Remove-Item -LiteralPath $transcript -Force -ErrorAction SilentlyContinue
        }
    }
    $result | Add-Member -MemberType ScriptMethod -Name AllText -PassThru -Value {
        $text = [Text.StringBuilder]::new()
        foreach ($o in $this.Output) {
            [void]$text.Append([string]$o)
            foreach ($p in $o.PSObject.Properties) { try { [void]$text.Append(" $($p.Name)=$($p.Value)") } catch { } }
            [void]$text.AppendLine()
        }
        foreach ($e in @($this.Errors) + @($this.Terminating | Where-Object { $_ })) {
            [void]$text.AppendLine($e.ToString()).AppendLine($e.FullyQualifiedErrorId).AppendLine($e.Exception.ToString())
            [void]$text.AppendLine([string]$e.TargetObject).AppendLine([string]$e.ErrorDetails)
        }
        foreach ($line in @($this.Verbose) + @($this.Warnings) + @($this.Information)) { [void]$text.AppendLine($line) }
        [void]$text.AppendLine($this.Host)
        $text.ToString()
    } | Add-Member -MemberType ScriptMethod -Name ToString -Force -PassThru -Value { $this.AllText() }
}

function Assert-Succeeded {
    <# The capture has no error, terminating or not; the message shows everything it wrote. #>
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [object] $Capture)
    if ($Capture.Terminating -or $Capture.Errors.Count -gt 0) { throw "expected no error, got:`n$($Capture.AllText())" }
}

function Get-StreamText {
    <#
    .SYNOPSIS
        Everything a script block wrote to every stream, as text (output objects with their
        properties, errors with ids, exceptions and targets, verbose, warnings, information), for
        "this value appears nowhere" checks. Terminating errors are caught and included.
    #>
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $text = [Text.StringBuilder]::new()
    $records = try { & $ScriptBlock *>&1 } catch { $_ }
    foreach ($r in $records) {
        if ($r -is [Management.Automation.ErrorRecord]) {
            [void]$text.AppendLine($r.ToString()).AppendLine($r.FullyQualifiedErrorId).AppendLine($r.Exception.ToString())
            [void]$text.AppendLine([string]$r.TargetObject).AppendLine([string]$r.ErrorDetails)
        } elseif ($r -is [Management.Automation.InformationalRecord]) {
            [void]$text.AppendLine($r.Message)
        } elseif ($r -is [Management.Automation.InformationRecord]) {
            [void]$text.AppendLine([string]$r.MessageData)
        } elseif ($null -ne $r) {
            [void]$text.Append([string]$r)
            foreach ($p in $r.PSObject.Properties) { try { [void]$text.Append(" $($p.Name)=$($p.Value)") } catch { } }
            [void]$text.AppendLine()
        }
    }
    $text.ToString()
}

#endregion

Export-ModuleMember -Function *-*
