using System.Net;
using System.Net.Sockets;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>The first errors an admin meets: one clear terminating error each, with a stable id.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ErrorTests
{
    private readonly SandboxProcess _sandbox;

    public ErrorTests(SandboxProcess sandbox)
    {
        _sandbox = sandbox;
    }

    [Fact]
    public void A_wrong_secret_names_the_tenant_and_the_AADSTS_reason()
    {
        using var admin = new Admin();
        ShellResult result = admin.Run(Admin.ConnectLine(_sandbox, secret: "not-the-secret"));
        ErrorRecordAssert.Is(result.TerminatingRecord, "ExoKit.AuthenticationFailed", "AuthenticationError");
        string message = result.Terminating!.Message;
        Assert.Contains($"Authentication to tenant '{Repo.Tenant}' failed", message);
        Assert.Contains("AADSTS7000215: Invalid client secret provided", message);
        Assert.Equal(Repo.Tenant, result.TerminatingRecord!.TargetObject);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void An_unreachable_endpoint_names_the_URL()
    {
        using var admin = new Admin();
        string url = $"http://127.0.0.1:{UnusedPort()}";
        ShellResult result = Connect(admin, $"-TenantId {Repo.Tenant} -ClientId {Repo.AppId} -GraphEndpoint {url} -AuthorityHost {url}");
        ErrorRecordAssert.Is(result.TerminatingRecord, "ExoKit.EndpointUnreachable", "ConnectionError");
        Assert.Contains($"Cannot reach {url}/{Repo.Tenant}/oauth2/v2.0/token", result.Terminating!.Message);
    }

    [Fact]
    public void An_unknown_environment_names_the_parameter_and_the_choices()
    {
        using var admin = new Admin();
        ShellResult result = Connect(admin, "-TenantId t -ClientId c -Environment Mars");
        ErrorRecordAssert.Is(result.TerminatingRecord, "ExoKit.InvalidArgument", "InvalidArgument");
        Assert.Contains("Environment", result.Terminating!.Message);
        Assert.Contains("USGovDoD", result.Terminating.Message);
    }

    [Fact]
    public void Plain_http_is_refused_for_a_remote_host()
    {
        using var admin = new Admin();
        ShellResult result = Connect(admin, "-TenantId t -ClientId c -GraphEndpoint http://graph.example.com");
        ErrorRecordAssert.Is(result.TerminatingRecord, "ExoKit.InvalidArgument", "InvalidArgument");
        Assert.Contains("GraphEndpoint", result.Terminating!.Message);
        Assert.Contains("loopback", result.Terminating.Message);
    }

    [Fact]
    public void Missing_mandatory_parameters_are_PowerShell_binding_errors_not_prompts()
    {
        using var admin = new Admin();
        ShellResult result = admin.Run("Connect-ExoKit -TenantId t -ClientId c");
        Assert.NotNull(result.Terminating);
        Assert.Empty(admin.Shell.Host.Console.Prompts);
    }

    /// <summary>Connect-ExoKit with a throw-away secret and the given parameters.</summary>
    private static ShellResult Connect(Admin admin, string parameters) =>
        admin.Run($"$s = [System.Net.NetworkCredential]::new('', 'x').SecurePassword\nConnect-ExoKit -ClientSecret $s {parameters}");

    private static int UnusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
