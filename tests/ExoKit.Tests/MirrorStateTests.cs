using System.IO;
using System.Linq;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>
/// The contact mirror's state file as an admin sees it: Get-ContactMirrorState,
/// Reset-ContactMirrorState (ShouldProcess, ConfirmImpact High), and a corrupt file's error.
/// </summary>
public sealed class MirrorStateTests
{
    [Fact]
    public void Get_lists_one_object_per_mailbox_folder_after_a_run_and_a_steady_run_reads_by_delta()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers);
        using Admin admin = tenant.ConnectedAdmin();
        string path = Path.Combine(Path.GetTempPath(), $"exokit-ps-state-{System.Guid.NewGuid():N}.sqlite");
        try
        {
            for (int run = 0; run < 2; run++)
            {
                ShellResult mirrored = admin.Run($"Invoke-ContactMirror -SharedMailbox {MirrorTenant.HubUpn} -StatePath '{path}'");
                Assert.True(mirrored.Errors.Count == 0 && mirrored.Terminating is null, mirrored.AllText());
            }
            tenant.Sandbox.ClearRequests();
            ShellResult steady = admin.Run($"Invoke-ContactMirror -SharedMailbox {MirrorTenant.HubUpn} -StatePath '{path}'");
            Assert.True(steady.Errors.Count == 0, steady.AllText());
            var graph = tenant.Sandbox.Requests().Where(r => !r.Contains("/oauth2/")).ToList();
            Assert.True(graph.Count <= 2 + 3, string.Join("\n", graph));
            Assert.Equal(3, graph.Count(r => r.Contains("/contacts/delta")));

            ShellResult state = admin.Run($"Get-ContactMirrorState -StatePath '{path}'");
            Assert.True(state.Errors.Count == 0, state.AllText());
            Assert.Equal(3, state.Output.Count);
            Assert.All(state.Output, o => Assert.Equal("ExoKit.MirrorState", o.TypeNames[0]));
            var hub = state.Output.Single(o => (string)o.Properties["Mailbox"].Value == MirrorTenant.HubId);
            Assert.Equal("Shared folder", hub.Properties["Folder"].Value);
            Assert.Equal(3L, hub.Properties["Contacts"].Value);
            Assert.Equal(3L, hub.Properties["SyncedContacts"].Value);
            Assert.All(state.Output, o => Assert.NotNull(o.Properties["LastRunFinished"].Value));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Reset_asks_with_WhatIf_it_keeps_the_file_and_with_Confirm_false_deletes_it()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers);
        using Admin admin = tenant.ConnectedAdmin();
        ShellResult mirrored = admin.Run($"Invoke-ContactMirror -SharedMailbox {MirrorTenant.HubUpn}");
        Assert.True(mirrored.Errors.Count == 0, mirrored.AllText());
        Assert.True(File.Exists(tenant.StatePath), "the run kept its state at AUTOMATION_SYNCCONTACTS_STATE_PATH");

        ShellResult whatIf = admin.Run("Reset-ContactMirrorState -WhatIf");
        Assert.True(whatIf.Errors.Count == 0, whatIf.AllText());
        Assert.True(File.Exists(tenant.StatePath));
        Assert.Contains(admin.Shell.Host.Console.Lines, l => l.Text.StartsWith("What if: Performing the operation \"Delete the contact mirror state\""));

        ShellResult reset = admin.Run("Reset-ContactMirrorState -Confirm:$false");
        Assert.True(reset.Errors.Count == 0 && reset.Terminating is null, reset.AllText());
        Assert.False(File.Exists(tenant.StatePath));
        ShellResult empty = admin.Run("Get-ContactMirrorState");
        Assert.True(empty.Errors.Count == 0 && empty.Output.Count == 0, empty.AllText());
    }

    [Fact]
    public void A_corrupt_state_file_stops_the_run_naming_the_file_and_the_way_out()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers);
        using Admin admin = tenant.ConnectedAdmin();
        File.WriteAllText(tenant.StatePath, new string('x', 4096));
        tenant.Sandbox.ClearRequests();
        ShellResult result = admin.Run($"Invoke-ContactMirror -SharedMailbox {MirrorTenant.HubUpn}");
        Assert.NotNull(result.Terminating);
        string message = result.Terminating!.Message;
        Assert.Equal("ExoKit.StateUnusable", result.TerminatingRecord!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(tenant.StatePath, message);
        Assert.Contains("Reset-ContactMirrorState", message);
        Assert.Empty(tenant.Writes());
    }

    [Fact]
    public void The_drop_in_keeps_its_state_at_the_variable_and_refuses_a_bad_MaxDeletes_by_name()
    {
        using var tenant = new MirrorTenant(MirrorTenant.TwoUsers);
        ScriptRun run = tenant.RunDropIn(MirrorTenant.SingleTenantVariables());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(tenant.StatePath), "AUTOMATION_SYNCCONTACTS_STATE_PATH is where the drop-in keeps its state");

        var variables = MirrorTenant.SingleTenantVariables();
        variables["AUTOMATION_SYNCCONTACTS_PROPAGATE_DELETES"] = "true";
        variables["AUTOMATION_SYNCCONTACTS_MAX_DELETES"] = "ten";
        tenant.Sandbox.ClearRequests();
        ScriptRun refused = tenant.RunDropIn(variables);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("AUTOMATION_SYNCCONTACTS_MAX_DELETES", refused.Stderr);
        Assert.Empty(tenant.Writes());
        Assert.DoesNotContain(Repo.Secret, refused.Stdout + refused.Stderr);
    }
}
