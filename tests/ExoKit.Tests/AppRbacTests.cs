using System;
using System.Collections.Generic;
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
public sealed class AppRbacTests
{
    private static Admin Connected(AppRbacTenant tenant)
    {
        var admin = new Admin();
        ShellResult connected = admin.Connect(tenant.Sandbox, $"-ExchangeEndpoint {tenant.Sandbox.BaseUrl}/outlook.office365.com/");
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

    /// <summary>Test-ExchangeAppAccess's answers as (mailbox, permission) → (Access, Reason).</summary>
    private static Dictionary<(string, string), (string Access, string Reason)> Access(Admin admin, string line)
    {
        ShellResult result = admin.Run(line);
        Succeeded(result);
        Assert.All(result.Output, o => Assert.Equal("ExoKit.ExchangeAppAccess", o.TypeNames[0]));
        return result.Output.ToDictionary(
            o => ((string)o.Properties["Mailbox"].Value, (string)o.Properties["Permission"].Value),
            o => ((string)o.Properties["Access"].Value, (string)o.Properties["Reason"].Value));
    }

    /// <summary>Both ways of knowing: Exchange's Test-ServicePrincipalAuthorization, and a real call as the app.</summary>
    private static void Proves(Admin admin, string app, string permission, string[] granted, string[] denied)
    {
        string all = string.Join(",", granted.Concat(denied));
        var exchange = Access(admin, $"Test-ExchangeAppAccess -App ${app}.AppId -Mailbox {all} -Permission {permission}");
        var probe = Access(admin, $"Test-ExchangeAppAccess -App ${app}.AppId -Mailbox {all} -Permission {permission} -Probe -ClientSecret ${app}.Secret");
        foreach (string mailbox in granted)
        {
            Assert.Equal("Granted", exchange[(mailbox, permission)].Access);
            Assert.Equal("Granted", probe[(mailbox, permission)].Access);
        }
        foreach (string mailbox in denied)
        {
            Assert.Equal("Denied", exchange[(mailbox, permission)].Access);
            Assert.Equal("Denied", probe[(mailbox, permission)].Access);
            Assert.Contains("403 ErrorAccessDenied", probe[(mailbox, permission)].Reason);
        }
    }

    private static string AppIdOf(Admin admin, string variable) =>
        (string)admin.Run($"${variable}.AppId").Output.Single().BaseObject;

    [Fact]
    public void Example_1_an_app_scoped_to_the_Developers_unit_reads_a_members_calendar_and_not_a_non_members()
    {
        using var tenant = new AppRbacTenant();
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
        Assert.Equal($"/AdministrativeUnits/{AppRbacTenant.DevelopersId}", assignment.Properties["DirectoryScopeId"].Value);

        string appId = AppIdOf(admin, "app");
        Assert.Equal(200, tenant.CallAs(appId, secret, $"/v1.0/users/{AppRbacTenant.Nestor}/events"));
        Assert.Equal(403, tenant.CallAs(appId, secret, $"/v1.0/users/{AppRbacTenant.Adele}/events"));
        Proves(admin, "app", "Calendars.Read", new[] { AppRbacTenant.Nestor }, new[] { AppRbacTenant.Adele });

        var why = Access(admin, $"Test-ExchangeAppAccess -App CalendarsReader -Mailbox {AppRbacTenant.Nestor},{AppRbacTenant.Adele}");
        Assert.Equal(2, why.Count);
        Assert.Equal("'Application Calendars.Read' on Developers (AdministrativeUnit)", why[(AppRbacTenant.Nestor, "Calendars.Read")].Reason);
        Assert.StartsWith("the mailbox is outside 'Application Calendars.Read' on Developers", why[(AppRbacTenant.Adele, "Calendars.Read")].Reason);
    }

    [Fact]
    public void Example_2_contacts_scoped_to_the_Sales_group_by_a_separate_assignment()
    {
        using var tenant = new AppRbacTenant();
        using Admin admin = Connected(tenant);
        Succeeded(admin.Run("$app = New-ExchangeApp -DisplayName ContactsSync"));
        ShellResult assigned = admin.Run("$app | New-ExchangeAppRoleAssignment -Role Contacts.ReadWrite -Group Sales");
        Succeeded(assigned);
        Assert.Equal($"/Groups/{AppRbacTenant.SalesId}", assigned.Output.Single().Properties["DirectoryScopeId"].Value);

        string appId = AppIdOf(admin, "app");
        string secret = SecretOf(admin, "app");
        Assert.Equal(200, tenant.CallAs(appId, secret, $"/v1.0/users/{AppRbacTenant.Lee}/contacts"));
        Assert.Equal(403, tenant.CallAs(appId, secret, $"/v1.0/users/{AppRbacTenant.Megan}/contacts"));
        Proves(admin, "app", "Contacts.ReadWrite", new[] { AppRbacTenant.Lee }, new[] { AppRbacTenant.Megan });

        ShellResult again = admin.Run("New-ExchangeAppRoleAssignment -App ContactsSync -Role 'Application Contacts.ReadWrite' -Group Sales");
        Succeeded(again);
        Assert.Contains(again.Warnings, w => w.Contains("already holds"));
        Assert.Single(admin.Run("Get-ExchangeAppRoleAssignment -App ContactsSync").Output);
    }

    [Fact]
    public void Examples_3_to_5_user_scopes_full_access_and_the_whole_tenant()
    {
        using var tenant = new AppRbacTenant();
        using Admin admin = Connected(tenant);
        Succeeded(admin.Run("$reader = New-ExchangeApp -DisplayName VacationMail -Role Mail.ReadBasic -User " + AppRbacTenant.Alex));
        Succeeded(admin.Run("$full = New-ExchangeApp -DisplayName MissingEmployee -Role 'Application Exchange Full Access' -User " + AppRbacTenant.UserId(AppRbacTenant.Alex)));
        Succeeded(admin.Run("$settings = New-ExchangeApp -DisplayName SettingsBot -Role MailboxSettings.ReadWrite -Tenant"));

        var scopes = admin.Run("Get-ExchangeAppRoleAssignment").Output.ToDictionary(o => (string)o.Properties["App"].Value, o => (string)o.Properties["DirectoryScopeId"].Value);
        string alexScope = $"/Users/{AppRbacTenant.UserId(AppRbacTenant.Alex)}";
        Assert.Equal(alexScope, scopes["VacationMail"]);
        Assert.Equal(alexScope, scopes["MissingEmployee"]);
        Assert.Equal("/", scopes["SettingsBot"]);

        (string id, string secret) reader = (AppIdOf(admin, "reader"), SecretOf(admin, "reader"));
        Assert.Equal(200, tenant.CallAs(reader.id, reader.secret, $"/v1.0/users/{AppRbacTenant.Alex}/messages"));
        Assert.Equal(403, tenant.CallAs(reader.id, reader.secret, $"/v1.0/users/{AppRbacTenant.Adele}/messages"));
        Assert.Equal(403, tenant.CallAs(reader.id, reader.secret, $"/v1.0/users/{AppRbacTenant.Alex}/calendar"));
        (string id, string secret) full = (AppIdOf(admin, "full"), SecretOf(admin, "full"));
        Assert.Equal(200, tenant.CallAs(full.id, full.secret, $"/v1.0/users/{AppRbacTenant.Alex}/calendar"));
        Assert.Equal(200, tenant.CallAs(full.id, full.secret, $"/v1.0/users/{AppRbacTenant.Alex}/mailboxSettings"));
        Assert.Equal(403, tenant.CallAs(full.id, full.secret, $"/v1.0/users/{AppRbacTenant.Nestor}/messages"));
        (string id, string secret) settings = (AppIdOf(admin, "settings"), SecretOf(admin, "settings"));
        foreach (string user in new[] { AppRbacTenant.Nestor, AppRbacTenant.Adele, AppRbacTenant.Alex })
        {
            Assert.Equal(200, tenant.CallAs(settings.id, settings.secret, $"/v1.0/users/{user}/mailboxSettings"));
        }
        Assert.Equal(403, tenant.CallAs(settings.id, settings.secret, $"/v1.0/users/{AppRbacTenant.Adele}/messages"));

        Proves(admin, "reader", "Mail.ReadBasic", new[] { AppRbacTenant.Alex }, new[] { AppRbacTenant.Adele });
        Proves(admin, "full", "Calendars.ReadWrite", new[] { AppRbacTenant.Alex }, new[] { AppRbacTenant.Nestor });
        Proves(admin, "full", "Mail.Read", new[] { AppRbacTenant.Alex }, new[] { AppRbacTenant.Megan });
        Proves(admin, "settings", "MailboxSettings.ReadWrite", new[] { AppRbacTenant.Nestor, AppRbacTenant.Adele, AppRbacTenant.Alex }, Array.Empty<string>());
        Proves(admin, "settings", "Mail.Read", Array.Empty<string>(), new[] { AppRbacTenant.Adele });
    }

    [Fact]
    public void Test_ExchangeAppAccess_takes_mailboxes_from_the_pipeline_and_shows_a_table()
    {
        using var tenant = new AppRbacTenant();
        using Admin admin = Connected(tenant);
        Succeeded(admin.Run("New-ExchangeApp -DisplayName ContactsSync -Role Contacts.Read -Group Sales"));
        ShellResult piped = admin.Run(
            $"[pscustomobject]@{{UserPrincipalName='{AppRbacTenant.Lee}'}}, [pscustomobject]@{{UserPrincipalName='{AppRbacTenant.Megan}'}} | " +
            "Test-ExchangeAppAccess -App ContactsSync | Out-Default");
        Succeeded(piped);
        string table = string.Join("\n", admin.Shell.Host.Console.Lines.Select(l => l.Text));
        Assert.Contains("Reason", table);
        Assert.Matches($"{AppRbacTenant.Lee}\\s+Contacts.Read\\s+Granted", table);
        Assert.Matches($"{AppRbacTenant.Megan}\\s+Contacts.Read\\s+Denied", table);

        ShellResult unknown = admin.Run($"Test-ExchangeAppAccess -App ContactsSync -Mailbox {AppRbacTenant.Lee} -Permission Calendars.Write");
        Assert.Contains("is not a mailbox permission", unknown.Terminating!.Message);
    }

    [Fact]
    public void New_ExchangeApp_waits_out_replication_lag_without_a_fixed_sleep_and_a_rerun_finds_the_app()
    {
        using var tenant = new AppRbacTenant();
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
    public void New_ExchangeApp_with_a_certificate_registers_it_instead_of_a_secret_and_the_app_signs_in_with_it()
    {
        using var tenant = new AppRbacTenant();
        using Admin admin = Connected(tenant);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=CalendarsReader", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        admin.Shell.Runspace.SessionStateProxy.SetVariable("cert", new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate.RawData));
        ShellResult made = admin.Run("New-ExchangeApp -DisplayName CertReader -Certificate $cert -Role Calendars.Read -AdministrativeUnit Developers");
        Succeeded(made);
        PSObject app = made.Output.Single();
        Assert.Equal("Certificate", app.Properties["Credential"].Value);
        Assert.Null(app.Properties["Secret"]);
        Assert.DoesNotContain(tenant.Sandbox.Requests(), r => r.Contains("/addPassword"));

        string appId = (string)app.Properties["AppId"].Value;
        Assert.Equal(200, tenant.CallAsWithCertificate(appId, certificate, $"/v1.0/users/{AppRbacTenant.Nestor}/calendar"));
        Assert.Equal(403, tenant.CallAsWithCertificate(appId, certificate, $"/v1.0/users/{AppRbacTenant.Adele}/calendar"));
    }

    [Fact]
    public void Unknown_and_ambiguous_names_list_the_candidates_and_create_nothing()
    {
        using var tenant = new AppRbacTenant();
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
        using var tenant = new AppRbacTenant();
        using var admin = new Admin();
        Succeeded(admin.Run(Admin.ConnectLine(tenant.Sandbox, Repo.NoRolesSecret, Repo.NoRolesAppId)));
        ShellResult result = admin.Run("New-ExchangeApp -DisplayName Denied");
        Assert.NotNull(result.Terminating);
        Assert.Contains("RoleManagement.Read", result.Terminating!.Message + "");
    }

    [Fact]
    public void Remove_supports_WhatIf_and_pipeline_input_from_Get()
    {
        using var tenant = new AppRbacTenant();
        using Admin admin = Connected(tenant);
        Succeeded(admin.Run("New-ExchangeApp -DisplayName Removable -Role Mail.Read,Calendars.Read -User " + AppRbacTenant.Alex));
        tenant.Sandbox.ClearRequests();
        ShellResult whatIf = admin.Run("Get-ExchangeAppRoleAssignment -App Removable | Remove-ExchangeAppRoleAssignment -WhatIf");
        Succeeded(whatIf);
        Assert.DoesNotContain(tenant.Sandbox.Requests(), r => r.StartsWith("DELETE "));
        string console = string.Join("\n", admin.Shell.Host.Console.Lines.Select(l => l.Text));
        Assert.Contains("'Application Mail.Read' on " + AppRbacTenant.Alex, console);

        Succeeded(admin.Run("Get-ExchangeAppRoleAssignment -App Removable | Remove-ExchangeAppRoleAssignment -Confirm:$false"));
        Assert.Equal(2, tenant.Sandbox.Requests().Count(r => r.StartsWith("DELETE /beta/roleManagement/exchange/roleAssignments/")));
        Assert.Empty(admin.Run("Get-ExchangeAppRoleAssignment -App Removable").Output);
    }
}
