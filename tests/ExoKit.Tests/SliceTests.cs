using System.Linq;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>
/// The first slice through every layer: cmdlet → generated binding → ffi → Graph client →
/// transport → sandbox.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class SliceTests
{
    private readonly SandboxProcess _sandbox;

    public SliceTests(SandboxProcess sandbox)
    {
        _sandbox = sandbox;
    }

    [Fact]
    public void Connect_then_GetExoKitContext_describes_the_connection()
    {
        using var admin = new Admin();
        ShellResult connected = admin.Connect(_sandbox);
        Assert.Null(connected.Terminating);
        Assert.Empty(connected.Output);

        ShellResult context = admin.Run("Get-ExoKitContext");
        dynamic ctx = context.Output.Single();
        Assert.Equal("ExoKit.ExoKitContext", context.Output.Single().TypeNames[0]);
        Assert.Equal(Repo.Tenant, (string)ctx.TenantId);
        Assert.Equal(Repo.AppId, (string)ctx.ClientId);
        Assert.Equal("ClientSecret", (string)ctx.AuthType);
        Assert.Equal("Custom", (string)ctx.Environment);
        Assert.StartsWith(_sandbox.BaseUrl, (string)ctx.GraphEndpoint);
        Assert.Equal("https://outlook.office365.com/", (string)ctx.ExchangeEndpoint);
        Assert.NotNull((string?)ctx.TokenExpiresOn);

        ShellResult custom = admin.Connect(_sandbox, $"-ExchangeEndpoint {_sandbox.BaseUrl}/outlook.office365.com/ -PassThru");
        Assert.Equal($"{_sandbox.BaseUrl}/outlook.office365.com/", custom.Output.Single().Properties["ExchangeEndpoint"].Value);
    }

    [Fact]
    public void Connect_PassThru_writes_the_context()
    {
        using var admin = new Admin();
        ShellResult connected = admin.Connect(_sandbox, "-PassThru");
        Assert.Equal(Repo.Tenant, connected.Output.Single().Properties["TenantId"].Value);
    }

    [Fact]
    public void Role_definitions_are_typed_objects_with_a_table_view()
    {
        using var admin = new Admin();
        admin.Connect(_sandbox);
        ShellResult result = admin.Run("Get-ExchangeAppRoleDefinition");
        Assert.Null(result.Terminating);
        Assert.Equal(14, result.Output.Count);
        Assert.All(result.Output, o => Assert.Equal("ExoKit.RoleDefinition", o.TypeNames[0]));
        Assert.Contains(result.Progress, p => p.Activity == "Get-ExchangeAppRoleDefinition");

        admin.Run("Get-ExchangeAppRoleDefinition | Where-Object AllowedPrincipalTypes -eq servicePrincipal | Out-Default");
        var lines = admin.Shell.Host.Console.Lines.Select(l => l.Text).ToList();
        int header = lines.FindIndex(l => l.StartsWith("DisplayName") && l.Contains(" Id ") && l.Contains("Permissions"));
        Assert.True(header >= 0, string.Join("\n", lines));
        Assert.Contains(lines, l => l.StartsWith("Application Calendars.Read ") && l.Contains("a3123d4e-4256-4ad0-bef0-205a00807fae"));
        Assert.DoesNotContain(lines, l => l.StartsWith("Address Lists"));
    }

    [Fact]
    public void Filter_is_sent_to_Graph_as_an_OData_filter()
    {
        using var admin = new Admin();
        admin.Connect(_sandbox);
        _sandbox.ClearRequests();
        ShellResult result = admin.Run("Get-ExchangeAppRoleDefinition -Filter \"displayName eq 'Application Contacts.ReadWrite'\"");
        dynamic role = result.Output.Single();
        Assert.Equal("265cabb3-13d9-4e05-b2cd-460cfa7ad3cc", (string)role.Id);
        Assert.Equal(["Contacts.ReadWrite"], ((System.Collections.Generic.List<string>)role.Permissions).ToArray());
        Assert.Contains(_sandbox.Requests(), r => r.StartsWith("GET /beta/roleManagement/exchange/roleDefinitions?%24filter=displayName") && r.EndsWith(" 200"));
    }

    [Fact]
    public void Verbose_names_each_request()
    {
        using var admin = new Admin();
        admin.Connect(_sandbox);
        ShellResult result = admin.Run("Get-ExchangeAppRoleDefinition -Verbose");
        Assert.Contains(result.Verbose, v => v.StartsWith("GET " + _sandbox.BaseUrl + "/beta/roleManagement/exchange/roleDefinitions -> 200"));
    }

    [Fact]
    public void Disconnect_then_any_command_says_not_connected()
    {
        using var admin = new Admin();
        admin.Connect(_sandbox);
        admin.Run("Disconnect-ExoKit");
        ShellResult result = admin.Run("Get-ExchangeAppRoleDefinition");
        Assert.Equal("ExoKit.NotConnected,ExoKit.GetExchangeAppRoleDefinition", result.TerminatingRecord?.FullyQualifiedErrorId);
        Assert.Contains("Connect-ExoKit", result.Terminating!.Message);
        ShellResult again = admin.Run("Disconnect-ExoKit");
        Assert.Contains("ExoKit was not connected.", again.Warnings);
    }

    [Fact]
    public void A_missing_Graph_permission_is_a_permission_error()
    {
        using var admin = new Admin();
        ShellResult connected = admin.Run(Admin.ConnectLine(_sandbox, Repo.NoRolesSecret, Repo.NoRolesAppId));
        Assert.Null(connected.Terminating);
        ShellResult result = admin.Run("Get-ExchangeAppRoleDefinition");
        ErrorRecordAssert.Is(result.TerminatingRecord, "ExoKit.Service.Authorization_RequestDenied", "PermissionDenied");
        Assert.Contains("Insufficient privileges", result.Terminating!.Message);
    }
}
