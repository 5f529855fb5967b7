using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>
/// Connect-ExoKit with each credential kind, as an admin or a pipeline types it: secrets come
/// from environment variables (as CI variables do), so no secret is ever in a command line
/// that an error record could quote.
/// </summary>
public sealed class AuthTests : IClassFixture<AuthTenant>, IDisposable
{
    private readonly AuthTenant _tenant;
    private readonly List<string> _variables = new();

    public AuthTests(AuthTenant tenant)
    {
        _tenant = tenant;
    }

    private string Endpoints => $"-GraphEndpoint {_tenant.Sandbox.BaseUrl} -AuthorityHost {_tenant.Sandbox.BaseUrl}";

    /// <summary>Sets a process variable for this test (PowerShell's $env: sees it), removed after.</summary>
    private void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        _variables.Add(name);
    }

    public void Dispose()
    {
        foreach (string name in _variables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    private const string Secure = "[System.Net.NetworkCredential]::new('', $env:{0}).SecurePassword";

    /// <summary>The Connect-ExoKit line for each kind, after setting the variables it reads.</summary>
    private Dictionary<string, string> EveryKind()
    {
        Set("EXOKIT_TEST_PFX_PASSWORD", AuthTenant.PfxPassword);
        Set("EXOKIT_TEST_OIDC_TOKEN", _tenant.FederatedToken());
        Set("EXOKIT_TEST_ACCESS_TOKEN", HeldGraphToken());
        string tokenFile = _tenant.Write("federated-token", Encoding.ASCII.GetBytes(_tenant.FederatedToken() + "\n"));
        string app = Repo.AppId;
        return new Dictionary<string, string>
        {
            ["Certificate (PFX)"] = $"Connect-ExoKit {Repo.Tenant} {app} -CertificatePath '{_tenant.PfxPath}' -CertificatePassword ({string.Format(Secure, "EXOKIT_TEST_PFX_PASSWORD")}) {Endpoints}",
            ["Certificate (PEM)"] = $"Connect-ExoKit {Repo.Tenant} {app} -CertificatePath '{_tenant.CertPemPath}' -CertificateKeyPath '{_tenant.KeyPemPath}' {Endpoints}",
            ["FederatedTokenFile"] = $"Connect-ExoKit {Repo.Tenant} {app} -FederatedTokenFile '{tokenFile}' {Endpoints}",
            ["FederatedToken"] = $"Connect-ExoKit {Repo.Tenant} {app} -FederatedToken ({string.Format(Secure, "EXOKIT_TEST_OIDC_TOKEN")}) {Endpoints}",
            ["ManagedIdentity (IMDS, system)"] = $"$env:AZURE_POD_IDENTITY_AUTHORITY_HOST = '{_tenant.Sandbox.BaseUrl}'; try {{ Connect-ExoKit {Repo.Tenant} -ManagedIdentity {Endpoints} }} finally {{ $env:AZURE_POD_IDENTITY_AUTHORITY_HOST = $null }}",
            ["ManagedIdentity (App Service, user-assigned)"] =
                $"$env:IDENTITY_ENDPOINT = '{_tenant.Sandbox.BaseUrl}/msi/token'; $env:IDENTITY_HEADER = $env:EXOKIT_TEST_IDENTITY_HEADER\n" +
                $"try {{ Connect-ExoKit {Repo.Tenant} -ManagedIdentity -ClientId {AuthTenant.UserIdentity} {Endpoints} }} finally {{ $env:IDENTITY_ENDPOINT = $null; $env:IDENTITY_HEADER = $null }}",
            ["AccessToken"] = $"Connect-ExoKit {Repo.Tenant} -AccessToken ({string.Format(Secure, "EXOKIT_TEST_ACCESS_TOKEN")}) {Endpoints}",
        };
    }

    /// <summary>A Graph token got elsewhere (here: from the sandbox with the app's secret), as Get-AzAccessToken would give.</summary>
    private string HeldGraphToken()
    {
        using var http = new HttpClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = Repo.AppId, ["client_secret"] = Repo.Secret,
            ["scope"] = "https://graph.microsoft.com/.default",
        });
        string answer = http.PostAsync($"{_tenant.Sandbox.BaseUrl}/{Repo.Tenant}/oauth2/v2.0/token", form).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult();
        return JsonNode.Parse(answer)!["access_token"]!.GetValue<string>();
    }

    [Fact]
    public void Every_credential_kind_connects_and_lists_role_definitions()
    {
        Set("EXOKIT_TEST_IDENTITY_HEADER", _tenant.IdentityHeader());
        foreach ((string kind, string line) in EveryKind())
        {
            using var admin = new Admin();
            ShellResult connected = admin.Run(line);
            Assert.True(connected.Terminating is null, kind + ": " + connected.AllText());
            dynamic context = admin.Run("Get-ExoKitContext").Output.Single();
            string expected = kind.Split(' ')[0] == "FederatedTokenFile" ? "FederatedToken" : kind.Split(' ')[0];
            Assert.Equal(expected, (string)context.AuthType);
            ShellResult roles = admin.Run("Get-ExchangeAppRoleDefinition");
            Assert.True(roles.Terminating is null, kind + ": " + roles.AllText());
            Assert.Equal(14, roles.Output.Count);
        }
        var identities = _tenant.Sandbox.Requests();
        Assert.Contains(identities, r => r.StartsWith("GET /metadata/identity/oauth2/token?") && r.EndsWith(" 200"));
        Assert.Contains(identities, r => r.StartsWith("GET /msi/token?") && r.Contains(AuthTenant.UserIdentity) && r.EndsWith(" 200"));
    }

    private ShellResult Refused(string line)
    {
        using var admin = new Admin();
        ShellResult result = admin.Run(line);
        Assert.NotNull(result.TerminatingRecord);
        return result;
    }

    [Fact]
    public void An_expired_certificate_a_wrong_password_an_unreadable_file_and_an_unknown_cloud_each_say_so()
    {
        Set("EXOKIT_TEST_PFX_PASSWORD", AuthTenant.PfxPassword);
        Set("EXOKIT_TEST_WRONG_PASSWORD", "Wrong-Pa55-9x");
        string password = string.Format(Secure, "EXOKIT_TEST_PFX_PASSWORD");

        ShellResult expired = Refused($"Connect-ExoKit {Repo.Tenant} {Repo.AppId} -CertificatePath '{_tenant.ExpiredPfxPath}' -CertificatePassword ({password}) {Endpoints}");
        ErrorRecordAssert.Is(expired.TerminatingRecord, "ExoKit.InvalidArgument", "InvalidArgument");
        Assert.Contains("expired on", expired.Terminating!.Message);
        Assert.Contains("expired.pfx", expired.Terminating.Message);

        ShellResult wrong = Refused($"Connect-ExoKit {Repo.Tenant} {Repo.AppId} -CertificatePath '{_tenant.PfxPath}' -CertificatePassword ({string.Format(Secure, "EXOKIT_TEST_WRONG_PASSWORD")}) {Endpoints}");
        Assert.Contains("password", wrong.Terminating!.Message);
        Assert.DoesNotContain("Wrong-Pa55-9x", wrong.AllText());

        ShellResult missing = Refused($"Connect-ExoKit {Repo.Tenant} {Repo.AppId} -FederatedTokenFile ./no-such-token-file {Endpoints}");
        Assert.Contains("FederatedTokenFile", missing.Terminating!.Message);
        Assert.Contains("no-such-token-file", missing.Terminating.Message);

        ShellResult cloud = Refused($"Connect-ExoKit {Repo.Tenant} {Repo.AppId} -CertificatePath '{_tenant.PfxPath}' -CertificatePassword ({password}) -Environment AzureMars");
        Assert.Contains("AzureMars", cloud.Terminating!.Message);
        Assert.Contains("USGovDoD", cloud.Terminating.Message);

        ShellResult thumbprint = Refused($"Connect-ExoKit {Repo.Tenant} {Repo.AppId} -CertificateThumbprint 0123456789ABCDEF0123456789ABCDEF01234567 {Endpoints}");
        Assert.Contains("-CertificatePath", thumbprint.Terminating!.Message);
    }

    [Fact]
    public void A_federated_token_for_another_branch_is_refused_with_the_aadsts_reason()
    {
        Set("EXOKIT_TEST_OIDC_TOKEN", _tenant.FederatedToken("project_path:infra/contacts:ref_type:branch:ref:feature"));
        ShellResult refused = Refused($"Connect-ExoKit {Repo.Tenant} {Repo.AppId} -FederatedToken ({string.Format(Secure, "EXOKIT_TEST_OIDC_TOKEN")}) {Endpoints}");
        ErrorRecordAssert.Is(refused.TerminatingRecord, "ExoKit.AuthenticationFailed", "AuthenticationError");
        Assert.Contains("AADSTS70021", refused.Terminating!.Message);
    }

    [Fact]
    public void Parameter_sets_keep_credentials_apart()
    {
        using var admin = new Admin();
        ShellResult sets = admin.Run("(Get-Command Connect-ExoKit).ParameterSets | ForEach-Object Name");
        string[] names = sets.Output.Select(o => o.ToString()).ToArray();
        Assert.Equal(new[] { "ClientSecret", "ClientSecretCredential", "CertificatePath", "CertificateThumbprint", "ManagedIdentity", "FederatedTokenFile", "FederatedToken", "AccessToken" }.OrderBy(n => n), names.OrderBy(n => n));
        ShellResult both = admin.Run($"Connect-ExoKit {Repo.Tenant} {Repo.AppId} -ManagedIdentity -FederatedTokenFile x");
        Assert.Equal("AmbiguousParameterSet,ExoKit.ConnectExoKit", both.TerminatingRecord?.FullyQualifiedErrorId);
    }

    [Fact]
    public void No_secret_password_assertion_or_token_appears_in_any_stream_error_or_log()
    {
        string header = _tenant.IdentityHeader();
        Set("EXOKIT_TEST_IDENTITY_HEADER", header);
        Dictionary<string, string> kinds = EveryKind();
        var secrets = new List<string>
        {
            AuthTenant.PfxPassword, header, Repo.Secret,
            Environment.GetEnvironmentVariable("EXOKIT_TEST_OIDC_TOKEN")!, Environment.GetEnvironmentVariable("EXOKIT_TEST_ACCESS_TOKEN")!,
            // The PEM key's body, line by line (any line of it would be a leak).
        };
        secrets.AddRange(_tenant.KeyPem.Split('\n').Where(l => l.Length > 40 && !l.StartsWith("-----")));
        Set("EXOKIT_TEST_WRONG_PASSWORD", "Wrong-Pa55-9x");
        secrets.Add("Wrong-Pa55-9x");

        var seen = new StringBuilder();
        using var admin = new Admin();
        admin.Run("$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'");
        var lines = kinds.Values.Select(l => l + " -Verbose -PassThru").ToList();
        lines.Add($"Connect-ExoKit {Repo.Tenant} {Repo.AppId} -CertificatePath '{_tenant.PfxPath}' -CertificatePassword ({string.Format(Secure, "EXOKIT_TEST_WRONG_PASSWORD")}) -Verbose {Endpoints}");
        lines.Add($"Connect-ExoKit {Repo.Tenant} {Repo.AppId} -FederatedToken ({string.Format(Secure, "EXOKIT_TEST_ACCESS_TOKEN")}) -Verbose {Endpoints}");
        foreach (string line in lines)
        {
            seen.AppendLine(admin.Run(line).AllText());
            seen.AppendLine(admin.Run("Get-ExoKitContext | Format-List * | Out-Default; Get-ExchangeAppRoleDefinition -Verbose | Out-Default").AllText());
        }
        seen.AppendLine(admin.Run("$Error | ForEach-Object { $_ | Format-List * -Force | Out-Default; $_.Exception | Format-List * -Force | Out-Default }").AllText());
        seen.AppendLine(admin.Shell.Host.Console.AllText());
        seen.AppendLine(string.Join("\n", _tenant.Sandbox.Requests()));

        string everything = seen.ToString();
        Assert.Contains("Requesting a token", everything);
        Assert.Contains("managed identity", everything);
        Assert.Contains("AADSTS", everything);
        foreach (string secret in secrets)
        {
            Assert.False(everything.Contains(secret, StringComparison.Ordinal), $"a secret of {secret.Length} characters leaked");
        }
        Assert.DoesNotContain("sbx.", everything);
        Assert.DoesNotContain("Bearer ", everything);
        Assert.DoesNotContain("eyJ", everything);
    }

    [Fact]
    public void The_drop_in_script_runs_on_a_gitlab_id_token_and_on_a_certificate_without_printing_either()
    {
        string token = _tenant.FederatedToken();
        var gitlab = new Dictionary<string, string>
        {
            ["AUTOMATION_SYNCCONTACTS_TENANT_ID"] = Repo.Tenant,
            ["AUTOMATION_SYNCCONTACTS_CLIENT_ID"] = Repo.AppId,
            ["AUTOMATION_SYNCCONTACTS_FEDERATED_TOKEN"] = token,
            ["AUTOMATION_SYNCCONTACTS_GLOBAL_ADDRESS_BOOK_USER_ID"] = "allcontacts@contoso.onmicrosoft.com",
            ["AUTOMATION_SYNCCONTACTS_DRY_RUN"] = "true",
        };
        ScriptRun run = MirrorTenant.RunDropIn(_tenant.Sandbox, gitlab);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("DryRun", run.Stdout);
        Assert.DoesNotContain(token, run.ToString());

        string config = new JsonObject
        {
            ["MicrosoftTenants"] = new JsonArray(new JsonObject
            {
                ["TenantId"] = Repo.Tenant, ["ClientId"] = Repo.AppId, ["GlobalAddressBookUserId"] = "allcontacts@contoso.onmicrosoft.com",
                ["CertificatePath"] = _tenant.PfxPath, ["CertificatePassword"] = AuthTenant.PfxPassword,
            }),
            ["DryRun"] = true,
        }.ToJsonString();
        run = MirrorTenant.RunDropIn(_tenant.Sandbox, new Dictionary<string, string> { ["AUTOMATION_SYNCCONTACTS_CONFIG_JSON"] = config });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(AuthTenant.PfxPassword, run.ToString());
    }
}
