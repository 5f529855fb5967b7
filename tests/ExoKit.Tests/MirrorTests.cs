using System.Collections.Generic;
using System.Linq;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>
/// Invoke-ContactMirror and the shipped Automation-ContactsMirroring.ps1 through every layer:
/// PowerShell → module → native library → HTTP → a sandbox with users and contacts.
/// </summary>
public sealed class MirrorTests
{
    [Fact]
    public void A_first_run_writes_summaries_per_step_and_a_second_run_writes_nothing()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers, hubFolder: false);
        using Admin admin = tenant.ConnectedAdmin();
        ShellResult first = admin.Run($"Invoke-ContactMirror -SharedMailbox {MirrorTenant.HubUpn}");
        Assert.True(first.Errors.Count == 0 && first.Terminating is null, first.AllText());
        Assert.Equal(new[] { "Collect", "Distribute" }, first.Output.Select(o => (string)o.Properties["Step"].Value));
        Assert.All(first.Output, o => Assert.Equal("ExoKit.MirrorSummary", o.TypeNames[0]));
        Assert.Equal(3L, first.Output[0].Properties["Created"].Value);
        Assert.Equal(3L, first.Output[1].Properties["Created"].Value);
        Assert.True((long)first.Output[0].Properties["Requests"].Value > 0);
        Assert.Contains(tenant.Writes(), w => w.StartsWith("POST /v1.0/users/" + MirrorTenant.HubId + "/contactFolders "));

        tenant.Sandbox.ClearRequests();
        ShellResult second = admin.Run($"Invoke-ContactMirror -SharedMailbox {MirrorTenant.HubUpn} | Out-Default");
        Assert.True(second.Errors.Count == 0, second.AllText());
        Assert.Empty(tenant.Writes());
        string table = string.Join("\n", admin.Shell.Host.Console.Lines.Select(l => l.Text));
        Assert.Contains("Distribute", table);
        Assert.Contains("Requests", table);
    }

    [Fact]
    public void WhatIf_writes_nothing_and_writes_one_object_per_planned_action()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers, hubFolder: false);
        using Admin admin = tenant.ConnectedAdmin();
        tenant.Sandbox.ClearRequests();
        ShellResult result = admin.Run($"Invoke-ContactMirror -SharedMailbox {MirrorTenant.HubUpn} -WhatIf");
        Assert.True(result.Errors.Count == 0, result.AllText());
        Assert.Empty(tenant.Writes());
        var actions = result.Output.Where(o => o.TypeNames[0] == "ExoKit.MirrorAction").ToList();
        // Three creates into the hub; each user would get the one contact it lacks and keeps its own.
        Assert.Equal(3 + 3, actions.Count(a => (string)a.Properties["Outcome"].Value == "WhatIf"));
        Assert.Equal(3, actions.Count(a => (string)a.Properties["Outcome"].Value == "Skipped"));
        Assert.Contains(admin.Shell.Host.Console.Lines, l => l.Text.StartsWith("What if: Performing the operation"));
    }

    [Fact]
    public void Users_come_from_the_pipeline_by_UserPrincipalName()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers);
        using Admin admin = tenant.ConnectedAdmin();
        ShellResult result = admin.Run(
            $"[pscustomobject]@{{ UserPrincipalName = '{MirrorTenant.Upn(1)}' }} | Invoke-ContactMirror -SharedMailbox {MirrorTenant.HubId} -PassThru");
        Assert.True(result.Errors.Count == 0, result.AllText());
        var created = result.Output.Where(o => o.TypeNames[0] == "ExoKit.MirrorAction" && (string)o.Properties["Step"].Value == "Collect").ToList();
        Assert.Equal(new[] { "cy@fabrikam.com" }, created.Select(a => (string)a.Properties["Email"].Value));
    }

    [Fact]
    public void The_drop_in_script_prints_the_original_log_lines_and_exits_0()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers);
        ScriptRun run = tenant.RunDropIn(MirrorTenant.SingleTenantVariables());
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] expected =
        {
            "Loaded configuration from individual environment variables",
            $"Running synccontacts for tenant {MirrorTenant.TenantId}",
            "Step 1: Sync user contacts to shared mailbox All Contacts",
            $"Syncing {MirrorTenant.Upn(0)} -> {MirrorTenant.HubUpn}",
            $"Syncing {MirrorTenant.HubUpn} -> {MirrorTenant.Upn(1)}",
            "Step 2: Sync shared mailbox All Contacts to user contacts",
            $"Done for tenant {MirrorTenant.TenantId}. Step1 - Created: 3, Updated: 0, Skipped: 0",
            $"Done for tenant {MirrorTenant.TenantId}. Step2 - Created: 3, Updated: 0, Skipped: 3",
            $"Tenant {MirrorTenant.TenantId} / Step 1 (users -> shared mailbox) creation summary",
        };
        foreach (string line in expected)
        {
            Assert.Contains(line, run.Stdout.Split('\n').Select(l => l.TrimEnd('\r')));
        }
        Assert.Contains("Created: NotesId=", run.Stdout);
        Assert.DoesNotContain(Repo.Secret, run.Stdout + run.Stderr);
        Assert.DoesNotContain("sbx.", run.Stdout + run.Stderr);
    }

    [Fact]
    public void The_drop_in_script_with_DryRun_writes_nothing()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers, hubFolder: false);
        var variables = MirrorTenant.SingleTenantVariables();
        variables["AUTOMATION_SYNCCONTACTS_DRY_RUN"] = "yes";
        ScriptRun run = tenant.RunDropIn(variables);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(tenant.Writes());
        Assert.Contains("Would create: NotesId=dryrun-", run.Stdout);
        Assert.Contains($"DryRun for tenant {MirrorTenant.TenantId}. Step1 - Would create: 3, Would update: 0", run.Stdout);
    }

    [Theory]
    [InlineData("AUTOMATION_SYNCCONTACTS_CONFIG_JSON", "{\"MicrosoftTenants\": [\n  {\"TenantId\": }\n]}")]
    [InlineData("AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON", "[{\"TenantId\": \"x\",]")]
    [InlineData("AUTOMATION_SYNCCONTACTS_TEST_USER_LIST_BY_TENANT_JSON", "{\"contoso\": [\"a\"")]
    public void A_malformed_variable_is_named_with_its_position_and_exits_1(string variable, string value)
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers);
        var variables = MirrorTenant.SingleTenantVariables();
        variables[variable] = value;
        ScriptRun run = tenant.RunDropIn(variables);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(variable, run.Stderr);
        Assert.Contains("line", run.Stderr);
        Assert.Empty(tenant.Writes());
        Assert.DoesNotContain(Repo.Secret, run.Stdout + run.Stderr);
    }

    [Fact]
    public void A_missing_tenant_field_is_named_with_its_tenant()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers);
        var variables = new Dictionary<string, string>
        {
            ["AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON"] = $"[{{\"TenantId\": \"{MirrorTenant.TenantId}\", \"ClientId\": \"{Repo.AppId}\", \"ClientSecret\": \"{Repo.Secret}\"}}]",
        };
        ScriptRun run = tenant.RunDropIn(variables);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("GlobalAddressBookUserId", run.Stderr);
        Assert.Contains(MirrorTenant.TenantId, run.Stderr);
        Assert.DoesNotContain(Repo.Secret, run.Stdout + run.Stderr);
    }

    [Fact]
    public void The_test_user_map_is_looked_up_by_TenantId()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers);
        var variables = new Dictionary<string, string>
        {
            ["AUTOMATION_SYNCCONTACTS_CONFIG_JSON"] =
                $"{{\"MicrosoftTenants\": {{\"TenantId\": \"{MirrorTenant.TenantId}\", \"ClientId\": \"{Repo.AppId}\", \"ClientSecret\": \"{Repo.Secret}\", \"GlobalAddressBookUserId\": \"{MirrorTenant.HubId}\"}}," +
                $" \"TestUserListByTenant\": {{\"{MirrorTenant.TenantId}\": [\"{MirrorTenant.Upn(1)}\"]}}}}",
        };
        ScriptRun run = tenant.RunDropIn(variables);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Using tenant test user list with 1 users.", run.Stdout);
        Assert.DoesNotContain($"Syncing {MirrorTenant.Upn(0)}", run.Stdout);
        Assert.Contains($"Syncing {MirrorTenant.Upn(1)} -> {MirrorTenant.HubId}", run.Stdout);
    }

    [Fact]
    public void A_mailbox_the_app_may_not_reach_is_reported_skipped_and_exits_1()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers, deniedUser: 1);
        ScriptRun run = tenant.RunDropIn(MirrorTenant.SingleTenantVariables());
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("ErrorAccessDenied", run.Stderr);
        Assert.Contains(MirrorTenant.Upn(1), run.Stderr);
        Assert.Contains($"Done for tenant {MirrorTenant.TenantId}. Step1 - Created: 2, Updated: 0, Skipped: 0", run.Stdout);
        Assert.Equal(2, tenant.Writes().Count(w => w.StartsWith($"POST /v1.0/users/{MirrorTenant.HubId}/contactFolders/")));
        Assert.Equal(2, tenant.Writes().Count(w => w.StartsWith($"PATCH /v1.0/users/{MirrorTenant.UserId(0)}/contacts/")));
        Assert.DoesNotContain(tenant.Writes(), w => w.Contains(MirrorTenant.UserId(1)));
    }
}
