using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>
/// The access audit and the policy → RBAC migration on tests/sandbox/seeds/app-access.json:
/// Mail Archiver (Entra Mail.Read, restricted to Alice's group), Calendar Sync (Entra
/// Calendars.Read plus an RBAC assignment scoped to the Sales group, which the Entra grant
/// defeats), Contacts Bot (RBAC only, Sales), Support Tool (Entra Mail.Read, no policy).
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class AppAccessAuditTests
{
    private const string Mailboxes = AppAccessTests.Alice + ", " + AppAccessTests.Bob + ", " + AppAccessTests.Carol;

    private static List<string> Table(ShellResult result, params string[] columns) =>
        result.Output.Select(o => string.Join(" | ", columns.Select(c => o.Properties[c].Value?.ToString() ?? ""))).ToList();

    [Fact]
    public void The_report_for_three_apps_matches_the_expected_table_exactly()
    {
        using SandboxProcess sandbox = AppAccessTests.Tenant();
        using Admin admin = AppAccessTests.Connected(sandbox);
        ShellResult report = admin.Run($"Get-ExchangeAppAccessReport -App 'Mail Archiver', 'Calendar Sync', 'Contacts Bot' -Mailbox {Mailboxes}");
        Assert.Null(report.Terminating);
        Assert.All(report.Output, o => Assert.Equal("ExoKit.AppAccessReport", o.TypeNames[0]));
        string[] expected =
        {
            "Calendar Sync | alice@contoso.onmicrosoft.com | Granted | EntraGrant | UnscopedEntraGrant | Calendars.Read",
            "Calendar Sync | bob@contoso.onmicrosoft.com | Granted | EntraGrant | UnscopedEntraGrant | Calendars.Read",
            "Calendar Sync | carol@contoso.onmicrosoft.com | Granted | EntraGrant |  | Calendars.Read",
            "Contacts Bot | alice@contoso.onmicrosoft.com | Denied | None |  | ",
            "Contacts Bot | bob@contoso.onmicrosoft.com | Denied | None |  | ",
            "Contacts Bot | carol@contoso.onmicrosoft.com | Granted | RbacScope |  | ",
            "Mail Archiver | alice@contoso.onmicrosoft.com | Granted | AccessPolicy |  | Mail.Read",
            "Mail Archiver | bob@contoso.onmicrosoft.com | Denied | AccessPolicy |  | Mail.Read",
            "Mail Archiver | carol@contoso.onmicrosoft.com | Denied | AccessPolicy |  | Mail.Read",
        };
        Assert.Equal(expected, Table(report, "AppDisplayName", "Mailbox", "Access", "Via", "Flag", "EntraPermissions"));
        Assert.Equal("RBAC Application Contacts.Read (Sales Members)", (string)report.Output[5].Properties["Reason"].Value);
        Assert.All(report.Output, o => Assert.All(o.Properties, p => Assert.True(p.Value is string, $"{p.Name} is flat")));

        // Without -App: every app with a mailbox permission or an Exchange pointer, the admin app not.
        ShellResult all = admin.Run($"Get-ExchangeAppAccessReport -Mailbox {AppAccessTests.Bob}");
        Assert.Equal(new[] { "Calendar Sync", "Contacts Bot", "Mail Archiver", "Support Tool" }, all.Output.Select(o => (string)o.Properties["AppDisplayName"].Value));

        ShellResult unknown = admin.Run("Get-ExchangeAppAccessReport -App 'No Such App'");
        ErrorRecordAssert.Is(unknown.TerminatingRecord, "ExoKit.InvalidArgument", "InvalidArgument");
        Assert.Contains("No Such App", unknown.Terminating!.Message);
    }

    [Fact]
    public void Migrating_restrict_and_deny_policies_keeps_every_verdict_and_removes_the_entra_grants()
    {
        using SandboxProcess sandbox = AppAccessTests.Tenant();
        using Admin admin = AppAccessTests.Connected(sandbox);
        admin.Run($"New-ExchangeAppScopeGroup -Name Executives -Member {AppAccessTests.Bob}");
        Assert.Null(admin.Run($"New-ExchangeAppAccessPolicy -AppId {AppAccessTests.SupportTool} -PolicyScopeGroupId Executives -AccessRight DenyAccess").Terminating);
        string reportLine = $"Get-ExchangeAppAccessReport -App 'Mail Archiver', 'Support Tool' -Mailbox {Mailboxes}";
        List<string> before = Table(admin.Run(reportLine), "AppDisplayName", "Mailbox", "Access");
        Assert.Equal(6, before.Count);
        Assert.Contains("Support Tool | bob@contoso.onmicrosoft.com | Denied", before);
        Assert.Contains("Support Tool | carol@contoso.onmicrosoft.com | Granted", before);

        sandbox.ClearRequests();
        ShellResult plan = admin.Run("Get-ExchangeAppAccessPolicy | ConvertTo-ExchangeAppRoleAssignment -WhatIf");
        Assert.Null(plan.Terminating);
        Assert.All(plan.Output, o => Assert.Equal("Planned", (string)o.Properties["Status"].Value));
        List<string> steps = Table(plan, "AppId", "Action", "Target", "Detail");
        Assert.Contains(steps, s => s.StartsWith($"{AppAccessTests.SupportTool} | New-ManagementScope") && s.EndsWith("| MemberOfGroup -ne 'CN=Executives,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=NAMPR01A001,DC=PROD,DC=OUTLOOK,DC=COM'"));
        Assert.Contains(steps, s => s.StartsWith($"{AppAccessTests.MailArchiver} | New-ManagementScope") && s.Contains("MemberOfGroup -eq 'CN=archive-scope,"));
        Assert.Contains($"{AppAccessTests.SupportTool} | New-ManagementRoleAssignment | Application Mail.Read", string.Join("\n", steps));
        Assert.Contains(steps, s => s.StartsWith($"{AppAccessTests.MailArchiver} | Remove Entra permission | Mail.Read"));
        Assert.DoesNotContain(sandbox.Requests(), r => r.StartsWith("DELETE "));
        Assert.Equal(2, admin.Run("Get-ExchangeAppAccessPolicy").Output.Count);

        ShellResult migrated = admin.Run($"Get-ExchangeAppAccessPolicy | ConvertTo-ExchangeAppRoleAssignment -RemovePolicy -Mailbox {Mailboxes} -Confirm:$false");
        Assert.Null(migrated.Terminating);
        Assert.All(migrated.Output, o => Assert.Equal("Done", (string)o.Properties["Status"].Value));
        Assert.Contains(migrated.Output, o => (string)o.Properties["Action"].Value == "Remove-ApplicationAccessPolicy");
        Assert.Empty(admin.Run("Get-ExchangeAppAccessPolicy").Output);

        ShellResult after = admin.Run(reportLine);
        Assert.Equal(before, Table(after, "AppDisplayName", "Mailbox", "Access"));
        Assert.All(after.Output, o => Assert.Equal("", (string)o.Properties["EntraPermissions"].Value));
        Assert.All(after.Output.Where(o => (string)o.Properties["Access"].Value == "Granted"), o => Assert.Equal("RbacScope", (string)o.Properties["Via"].Value));
    }

    [Fact]
    public void A_migration_that_would_change_access_keeps_the_policies()
    {
        using SandboxProcess sandbox = AppAccessTests.Tenant();
        using Admin admin = AppAccessTests.Connected(sandbox);
        // The policy counts a nested group's members, a MemberOfGroup scope does not: Carol
        // would lose access, so the migration must stop before taking anything away.
        admin.Run($"New-ExchangeAppScopeGroup -Name Inner -Member {AppAccessTests.Carol}");
        admin.Run("New-ExchangeAppScopeGroup -Name Outer -Member Inner");
        Assert.Null(admin.Run($"New-ExchangeAppAccessPolicy -AppId {AppAccessTests.SupportTool} -PolicyScopeGroupId Outer -AccessRight RestrictAccess").Terminating);
        ShellResult migrated = admin.Run(
            $"Get-ExchangeAppAccessPolicy -AppId {AppAccessTests.SupportTool} | ConvertTo-ExchangeAppRoleAssignment -RemovePolicy -Mailbox {Mailboxes} -Confirm:$false");
        Assert.Contains(migrated.Warnings, w => w.Contains("Inner") && w.Contains("direct members"));
        ErrorRecordAssert.Is(migrated.TerminatingRecord, "ExoKit.InvalidArgument", "InvalidArgument");
        Assert.Contains("Support Tool on carol@contoso.onmicrosoft.com was Granted", migrated.Terminating!.Message);
        Assert.Contains("no Entra permission was revoked", migrated.Terminating.Message);
        Assert.Equal(2, admin.Run("Get-ExchangeAppAccessPolicy").Output.Count);
        dynamic still = admin.Run($"Get-ExchangeAppAccessReport -App 'Support Tool' -Mailbox {AppAccessTests.Carol}").Output.Single();
        Assert.Equal("Mail.Read", (string)still.EntraPermissions);
        Assert.Equal("Granted", (string)still.Access);

        // Carol made a direct member, the same command finishes: the scope and assignment made by
        // the first run are found, not doubled.
        admin.Run($"New-ExchangeAppScopeGroup -Name Outer -Member {AppAccessTests.Carol}");
        ShellResult rerun = admin.Run(
            $"Get-ExchangeAppAccessPolicy -AppId {AppAccessTests.SupportTool} | ConvertTo-ExchangeAppRoleAssignment -RemovePolicy -Mailbox {Mailboxes} -Confirm:$false");
        Assert.Null(rerun.Terminating);
        Assert.DoesNotContain(rerun.Output, o => (string)o.Properties["Action"].Value == "New-ServicePrincipal");
        Assert.Single(admin.Run("Get-ExchangeAppAccessPolicy").Output);
        dynamic moved = admin.Run($"Get-ExchangeAppAccessReport -App 'Support Tool' -Mailbox {AppAccessTests.Carol}").Output.Single();
        Assert.Equal("RbacScope", (string)moved.Via);
    }
}
