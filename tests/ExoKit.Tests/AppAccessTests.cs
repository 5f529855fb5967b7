using System;
using System.Linq;
using System.Management.Automation;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>
/// RBAC for Applications through every layer (PowerShell → module → native library → HTTP →
/// sandbox): seed 003's five examples, each proven twice, by Test-ExchangeAppAccess and by a
/// real call the sandbox's access rules answer.
/// </summary>
public sealed class AppAccessTests
{
    private static Admin Connected(AppAccessTenant tenant)
    {
        var admin = new Admin();
        ShellResult connected = admin.Connect(tenant.Sandbox);
        Assert.True(connected.Terminating is null && connected.Errors.Count == 0, connected.AllText());
        return admin;
    }

    private static void Succeeded(ShellResult result) =>
        Assert.True(result.Terminating is null && result.Errors.Count == 0, result.AllText());

    /// <summary>New-ExchangeApp's secret as plain text, the way a test (not a script) may read it.</summary>
    private static string SecretOf(Admin admin, string variable)
    {
        ShellResult plain = admin.Run($"[System.Net.NetworkCredential]::new('', ${variable}.Secret).Password");
        Succeeded(plain);
        return (string)plain.Output.Single().BaseObject;
    }

    private static string AppIdOf(Admin admin, string variable) =>
        (string)admin.Run($"${variable}.AppId").Output.Single().BaseObject;

    [Fact]
    public void Example_1_an_app_scoped_to_the_Developers_unit_reads_a_members_calendar_and_not_a_non_members()
    {
        using var tenant = new AppAccessTenant();
        using Admin admin = Connected(tenant);
        ShellResult made = admin.Run("$app = New-ExchangeApp -DisplayName CalendarsReader -Role 'Application Calendars.Read' -AdministrativeUnit Developers; $app");
        Succeeded(made);
        PSObject app = made.Output.Single();
        Assert.Equal("ExoKit.ExchangeApp", app.TypeNames[0]);
        Assert.True((bool)app.Properties["Created"].Value);
        Assert.IsType<System.Security.SecureString>(app.Properties["Secret"].Value);
        string secret = SecretOf(admin, "app");
        Assert.DoesNotContain(secret, made.AllText());

        var assignment = admin.Run("Get-ExchangeAppRoleAssignment -App CalendarsReader").Output.Single();
        Assert.Equal("Application Calendars.Read", assignment.Properties["Role"].Value);
        Assert.Equal("AdministrativeUnit", assignment.Properties["ScopeType"].Value);
        Assert.Equal("Developers", assignment.Properties["Scope"].Value);
        Assert.Equal($"/AdministrativeUnits/{AppAccessTenant.DevelopersId}", assignment.Properties["DirectoryScopeId"].Value);

        string appId = AppIdOf(admin, "app");
        Assert.Equal(200, tenant.CallAs(appId, secret, $"/v1.0/users/{AppAccessTenant.Nestor}/events"));
        Assert.Equal(403, tenant.CallAs(appId, secret, $"/v1.0/users/{AppAccessTenant.Adele}/events"));
    }

    [Fact]
    public void Example_2_contacts_scoped_to_the_Sales_group_by_a_separate_assignment()
    {
        using var tenant = new AppAccessTenant();
        using Admin admin = Connected(tenant);
        Succeeded(admin.Run("$app = New-ExchangeApp -DisplayName ContactsSync"));
        ShellResult assigned = admin.Run("$app | New-ExchangeAppRoleAssignment -Role Contacts.ReadWrite -Group Sales");
        Succeeded(assigned);
        Assert.Equal($"/Groups/{AppAccessTenant.SalesId}", assigned.Output.Single().Properties["DirectoryScopeId"].Value);

        string appId = AppIdOf(admin, "app");
        string secret = SecretOf(admin, "app");
        Assert.Equal(200, tenant.CallAs(appId, secret, $"/v1.0/users/{AppAccessTenant.Lee}/contacts"));
        Assert.Equal(403, tenant.CallAs(appId, secret, $"/v1.0/users/{AppAccessTenant.Megan}/contacts"));

        ShellResult again = admin.Run("New-ExchangeAppRoleAssignment -App ContactsSync -Role 'Application Contacts.ReadWrite' -Group Sales");
        Succeeded(again);
        Assert.Contains(again.Warnings, w => w.Contains("already holds"));
        Assert.Single(admin.Run("Get-ExchangeAppRoleAssignment -App ContactsSync").Output);
    }

    [Fact]
    public void Examples_3_to_5_user_scopes_full_access_and_the_whole_tenant()
    {
        using var tenant = new AppAccessTenant();
        using Admin admin = Connected(tenant);
        Succeeded(admin.Run("$reader = New-ExchangeApp -DisplayName VacationMail -Role Mail.ReadBasic -User " + AppAccessTenant.Alex));
        Succeeded(admin.Run("$full = New-ExchangeApp -DisplayName MissingEmployee -Role 'Application Exchange Full Access' -User " + AppAccessTenant.UserId(AppAccessTenant.Alex)));
        Succeeded(admin.Run("$settings = New-ExchangeApp -DisplayName SettingsBot -Role MailboxSettings.ReadWrite -Tenant"));

        var scopes = admin.Run("Get-ExchangeAppRoleAssignment").Output.ToDictionary(o => (string)o.Properties["App"].Value, o => (string)o.Properties["DirectoryScopeId"].Value);
        string alexScope = $"/Users/{AppAccessTenant.UserId(AppAccessTenant.Alex)}";
        Assert.Equal(alexScope, scopes["VacationMail"]);
        Assert.Equal(alexScope, scopes["MissingEmployee"]);
        Assert.Equal("/", scopes["SettingsBot"]);

        (string id, string secret) reader = (AppIdOf(admin, "reader"), SecretOf(admin, "reader"));
        Assert.Equal(200, tenant.CallAs(reader.id, reader.secret, $"/v1.0/users/{AppAccessTenant.Alex}/messages"));
        Assert.Equal(403, tenant.CallAs(reader.id, reader.secret, $"/v1.0/users/{AppAccessTenant.Adele}/messages"));
        Assert.Equal(403, tenant.CallAs(reader.id, reader.secret, $"/v1.0/users/{AppAccessTenant.Alex}/calendar"));
        (string id, string secret) full = (AppIdOf(admin, "full"), SecretOf(admin, "full"));
        Assert.Equal(200, tenant.CallAs(full.id, full.secret, $"/v1.0/users/{AppAccessTenant.Alex}/calendar"));
        Assert.Equal(200, tenant.CallAs(full.id, full.secret, $"/v1.0/users/{AppAccessTenant.Alex}/mailboxSettings"));
        Assert.Equal(403, tenant.CallAs(full.id, full.secret, $"/v1.0/users/{AppAccessTenant.Nestor}/messages"));
        (string id, string secret) settings = (AppIdOf(admin, "settings"), SecretOf(admin, "settings"));
        foreach (string user in new[] { AppAccessTenant.Nestor, AppAccessTenant.Adele, AppAccessTenant.Alex })
        {
            Assert.Equal(200, tenant.CallAs(settings.id, settings.secret, $"/v1.0/users/{user}/mailboxSettings"));
        }
        Assert.Equal(403, tenant.CallAs(settings.id, settings.secret, $"/v1.0/users/{AppAccessTenant.Adele}/messages"));
    }

    [Fact]
    public void New_ExchangeApp_waits_out_replication_lag_without_a_fixed_sleep_and_a_rerun_finds_the_app()
    {
        using var tenant = new AppAccessTenant();
        using Admin admin = Connected(tenant);
        tenant.Sandbox.SetReplicationLag(TimeSpan.FromSeconds(3));
        tenant.Sandbox.ClearRequests();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ShellResult made = admin.Run("New-ExchangeApp -DisplayName LaggyApp -Role Calendars.Read -Group Sales -Verbose");
        clock.Stop();
        Succeeded(made);
        Assert.Contains(made.Verbose, v => v.Contains("not replicated yet"));
        var polls = tenant.Sandbox.Requests().Where(r => r.StartsWith("GET /v1.0/servicePrincipals/") || r.StartsWith("GET /v1.0/applications/")).ToList();
        Assert.Contains(polls, r => r.EndsWith(" 404"));
        Assert.Contains(polls, r => r.EndsWith(" 200"));
        Assert.InRange(clock.Elapsed.TotalSeconds, 3, 60);

        ShellResult rerun = admin.Run("New-ExchangeApp -DisplayName LaggyApp");
        Succeeded(rerun);
        Assert.False((bool)rerun.Output.Single().Properties["Created"].Value);
        Assert.Null(rerun.Output.Single().Properties["Secret"]);
        Assert.Contains(rerun.Warnings, w => w.Contains("exists"));
    }

    [Fact]
    public void Unknown_and_ambiguous_names_list_the_candidates_and_create_nothing()
    {
        using var tenant = new AppAccessTenant();
        using Admin admin = Connected(tenant);
        Succeeded(admin.Run("New-ExchangeApp -DisplayName Twin; New-ExchangeApp -DisplayName Twin -Force"));
        tenant.Sandbox.ClearRequests();

        ShellResult ambiguous = admin.Run("New-ExchangeAppRoleAssignment -App Twin -Role Mail.Read -Tenant");
        Assert.NotNull(ambiguous.Terminating);
        Assert.Contains("matches 2 service principals", ambiguous.Terminating!.Message);
        Assert.Equal("ExoKit.InvalidArgument,ExoKit.NewExchangeAppRoleAssignment", ambiguous.TerminatingRecord!.FullyQualifiedErrorId);

        ShellResult role = admin.Run("New-ExchangeApp -DisplayName Other -Role Calendars.Write -Tenant");
        Assert.Contains("the application roles are: ", role.Terminating!.Message);
        Assert.Contains("Application Calendars.Read", role.Terminating.Message);

        ShellResult unit = admin.Run("New-ExchangeAppRoleAssignment -App CalendarsReader -Role Mail.Read -AdministrativeUnit Nowhere");
        Assert.NotNull(unit.Terminating);
        Assert.DoesNotContain(tenant.Sandbox.Requests(), r => r.StartsWith("POST "));
    }

    [Fact]
    public void A_missing_Graph_permission_is_named()
    {
        using var tenant = new AppAccessTenant();
        using var admin = new Admin();
        Succeeded(admin.Run(Admin.ConnectLine(tenant.Sandbox, Repo.NoRolesSecret, Repo.NoRolesAppId)));
        ShellResult result = admin.Run("New-ExchangeApp -DisplayName Denied");
        Assert.NotNull(result.Terminating);
        Assert.Contains("RoleManagement.Read", result.Terminating!.Message + "");
    }

    [Fact]
    public void Remove_supports_WhatIf_and_pipeline_input_from_Get()
    {
        using var tenant = new AppAccessTenant();
        using Admin admin = Connected(tenant);
        Succeeded(admin.Run("New-ExchangeApp -DisplayName Removable -Role Mail.Read,Calendars.Read -User " + AppAccessTenant.Alex));
        tenant.Sandbox.ClearRequests();
        ShellResult whatIf = admin.Run("Get-ExchangeAppRoleAssignment -App Removable | Remove-ExchangeAppRoleAssignment -WhatIf");
        Succeeded(whatIf);
        Assert.DoesNotContain(tenant.Sandbox.Requests(), r => r.StartsWith("DELETE "));
        string console = string.Join("\n", admin.Shell.Host.Console.Lines.Select(l => l.Text));
        Assert.Contains("'Application Mail.Read' on " + AppAccessTenant.Alex, console);

        Succeeded(admin.Run("Get-ExchangeAppRoleAssignment -App Removable | Remove-ExchangeAppRoleAssignment -Confirm:$false"));
        Assert.Equal(2, tenant.Sandbox.Requests().Count(r => r.StartsWith("DELETE /beta/roleManagement/exchange/roleAssignments/")));
        Assert.Empty(admin.Run("Get-ExchangeAppRoleAssignment -App Removable").Output);
    }
}
