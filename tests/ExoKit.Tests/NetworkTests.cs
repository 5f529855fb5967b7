using System.Collections.Generic;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>
/// Reaching a tenant from the drop-in script with nothing but variables: a custom cloud over
/// plain loopback HTTP (every MirrorTests run) or over HTTPS with a private CA, and the errors
/// for endpoints that cannot be right.
/// </summary>
public sealed class NetworkTests
{
    private static readonly (string, string)[][] OneUser = { new[] { ("Ann", "ann@fabrikam.com") } };

    [Fact]
    public void The_drop_in_script_reaches_an_https_tenant_whose_CA_is_passed_by_file()
    {
        using var tenant = new MirrorTenant(OneUser);
        var variables = MirrorTenant.SingleTenantVariables();
        variables["AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT"] = tenant.Sandbox.HttpsUrl;
        variables["AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST"] = tenant.Sandbox.HttpsUrl;
        variables["AUTOMATION_SYNCCONTACTS_CA_FILE"] = tenant.Sandbox.CaFile;
        ScriptRun run = tenant.RunDropIn(variables);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Done for tenant {MirrorTenant.TenantId}. Step1 - Created: 1, Updated: 0, Skipped: 0", run.Stdout);
    }

    [Fact]
    public void Without_the_CA_file_the_https_run_fails_once_naming_the_certificate_and_the_variable()
    {
        using var tenant = new MirrorTenant(OneUser);
        var variables = MirrorTenant.SingleTenantVariables();
        variables["AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT"] = tenant.Sandbox.HttpsUrl;
        variables["AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST"] = tenant.Sandbox.HttpsUrl;
        ScriptRun run = tenant.RunDropIn(variables);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("certificate is not trusted", run.Stderr);
        Assert.Contains("AUTOMATION_SYNCCONTACTS_CA_FILE", run.Stderr);
        Assert.Empty(tenant.Writes());
    }

    [Fact]
    public void Connect_ExoKit_trusts_a_CA_passed_with_CertificateAuthorityFile()
    {
        using var tenant = new MirrorTenant(OneUser);
        using var admin = new Admin();
        string https = tenant.Sandbox.HttpsUrl;
        ShellResult refused = admin.Run($"{Admin.ConnectLine(tenant.Sandbox).Replace(tenant.Sandbox.BaseUrl, https)}");
        Assert.NotNull(refused.Terminating);
        Assert.Contains("-CertificateAuthorityFile", refused.Terminating!.Message);

        ShellResult trusted = admin.Run($"{Admin.ConnectLine(tenant.Sandbox).Replace(tenant.Sandbox.BaseUrl, https)} -CertificateAuthorityFile '{tenant.Sandbox.CaFile}' -Verbose");
        Assert.True(trusted.Terminating is null && trusted.Errors.Count == 0, trusted.AllText());
        Assert.Contains(trusted.Verbose, v => v.Contains("trusting the CAs in") && v.Contains("CertificateAuthorityFile"));
    }

    [Theory]
    [InlineData("AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT", "http://graph.contoso.com", "loopback")]
    [InlineData("AUTOMATION_SYNCCONTACTS_ENVIRONMENT", "Mars", "unknown environment")]
    [InlineData("AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST", "login microsoftonline", "not a valid URL")]
    public void An_endpoint_that_cannot_be_right_is_named_before_any_request(string variable, string value, string reason)
    {
        using var tenant = new MirrorTenant(OneUser);
        var variables = MirrorTenant.SingleTenantVariables();
        variables[variable] = value;
        tenant.Sandbox.ClearRequests();
        ScriptRun run = tenant.RunDropIn(variables);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(variable, run.Stderr);
        Assert.Contains(reason, run.Stderr);
        Assert.Empty(tenant.Sandbox.Requests());
    }

    [Fact]
    public void A_tenants_own_GraphEndpoint_field_is_named_in_its_error()
    {
        using var tenant = new MirrorTenant(OneUser);
        var variables = new Dictionary<string, string>
        {
            ["AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON"] =
                $"[{{\"TenantId\": \"{MirrorTenant.TenantId}\", \"ClientId\": \"{Repo.AppId}\", \"ClientSecret\": \"{Repo.Secret}\", " +
                $"\"GlobalAddressBookUserId\": \"{MirrorTenant.HubUpn}\", \"GraphEndpoint\": \"ftp://127.0.0.1\"}}]",
        };
        ScriptRun run = tenant.RunDropIn(variables);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("MicrosoftTenants[0].GraphEndpoint", run.Stderr);
        Assert.DoesNotContain(Repo.Secret, run.Stdout + run.Stderr);
    }
}
