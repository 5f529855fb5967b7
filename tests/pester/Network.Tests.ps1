# Reaching a tenant with nothing but variables or parameters: a custom cloud over HTTPS with a
# private CA, and the errors for endpoints that cannot be right. (Ported from NetworkTests.cs.)

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:M = Get-MirrorTenantInfo
    $script:Demo = Get-TestDemo
    $script:OneUser = @(, @(, @('Ann', 'ann@fabrikam.com')))
}

Describe 'HTTPS with a private CA' {
    BeforeEach { $script:Tenant = New-MirrorTenant -Contacts $script:OneUser }
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'the drop-in reaches an HTTPS tenant whose CA is passed by file' {
        $variables = Get-MirrorDropInVariable
        $variables.AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT = $script:Tenant.Sandbox.HttpsUrl
        $variables.AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST = $script:Tenant.Sandbox.HttpsUrl
        $variables.AUTOMATION_SYNCCONTACTS_CA_FILE = $script:Tenant.Sandbox.CaFile
        $run = Invoke-MirrorDropIn $script:Tenant $variables
        $run.ExitCode | Should -Be 0 -Because $run
        $run.Stdout | Should -BeLike "*Done for tenant $($script:M.TenantId). Step1 - Created: 1, Updated: 0, Skipped: 0*"
    }

    It 'without the CA file the HTTPS run fails once, naming the certificate and the variable' {
        $variables = Get-MirrorDropInVariable
        $variables.AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT = $script:Tenant.Sandbox.HttpsUrl
        $variables.AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST = $script:Tenant.Sandbox.HttpsUrl
        $run = Invoke-MirrorDropIn $script:Tenant $variables
        $run.ExitCode | Should -Be 1 -Because $run
        $run.Stderr | Should -BeLike '*certificate is not trusted*'
        $run.Stderr | Should -BeLike '*AUTOMATION_SYNCCONTACTS_CA_FILE*'
        Get-SandboxWrite $script:Tenant.Sandbox | Should -BeNullOrEmpty
    }

    It 'Connect-ExoKit trusts a CA passed with -CertificateAuthorityFile' {
        $https = $script:Tenant.Sandbox.HttpsUrl
        $over = @{ GraphEndpoint = $https; AuthorityHost = $https }
        $refused = Invoke-Captured { Connect-TestSandbox $script:Tenant.Sandbox -Extra $over }
        $refused.Terminating | Should -Not -BeNullOrEmpty
        $refused.Terminating.Exception.Message | Should -BeLike '*-CertificateAuthorityFile*'

        $over.CertificateAuthorityFile = $script:Tenant.Sandbox.CaFile
        $over.Verbose = $true
        $trusted = Invoke-Captured { Connect-TestSandbox $script:Tenant.Sandbox -Extra $over }
        Assert-Succeeded $trusted
        $trusted.Verbose | Where-Object { $_ -like '*trusting the CAs in*' -and $_ -like '*CertificateAuthorityFile*' } | Should -Not -BeNullOrEmpty
    }
}

Describe 'Endpoints that cannot be right' {
    BeforeEach { $script:Tenant = New-MirrorTenant -Contacts $script:OneUser }
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It '<Variable> = "<Value>" is named before any request' -TestCases @(
        @{ Variable = 'AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT'; Value = 'http://graph.contoso.com'; Reason = 'loopback' }
        @{ Variable = 'AUTOMATION_SYNCCONTACTS_ENVIRONMENT'; Value = 'Mars'; Reason = 'unknown environment' }
        @{ Variable = 'AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST'; Value = 'login microsoftonline'; Reason = 'not a valid URL' }
    ) {
        $variables = Get-MirrorDropInVariable
        $variables[$Variable] = $Value
        Clear-SandboxRequest $script:Tenant.Sandbox
        $run = Invoke-MirrorDropIn $script:Tenant $variables
        $run.ExitCode | Should -Be 1 -Because $run
        $run.Stderr | Should -BeLike "*$Variable*"
        $run.Stderr | Should -BeLike "*$Reason*"
        Get-SandboxRequest $script:Tenant.Sandbox | Should -BeNullOrEmpty
    }

    It "a tenant's own GraphEndpoint field is named in its error" {
        $tenants = @{
            TenantId = $script:M.TenantId; ClientId = $script:Demo.AppId; ClientSecret = $script:Demo.Secret
            GlobalAddressBookUserId = $script:M.HubUpn; GraphEndpoint = 'ftp://127.0.0.1'
        } | ConvertTo-Json -AsArray -Compress
        $run = Invoke-MirrorDropIn $script:Tenant @{ AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON = $tenants }
        $run.ExitCode | Should -Be 1 -Because $run
        $run.Stderr | Should -BeLike '*MicrosoftTenants`[0`].GraphEndpoint*'
        "$($run.Stdout)$($run.Stderr)" | Should -Not -BeLike "*$($script:Demo.Secret)*"
    }
}
