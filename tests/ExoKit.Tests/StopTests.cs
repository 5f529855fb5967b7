using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>Ctrl+C: PowerShell.Stop() from another thread ends a slow call within a second.</summary>
[Collection(SandboxCollection.Name)]
public sealed class StopTests
{
    private readonly SandboxProcess _sandbox;

    public StopTests(SandboxProcess sandbox)
    {
        _sandbox = sandbox;
    }

    [Fact]
    public void Stop_during_a_slow_call_returns_within_a_second()
    {
        using var admin = new Admin();
        (TimeSpan took, PSInvocationState state) = StopASlowCall(admin);
        Assert.True(took < TimeSpan.FromSeconds(1), $"Stop took {took.TotalMilliseconds:F0} ms");
        Assert.Equal(PSInvocationState.Stopped, state);
    }

    [Fact]
    public void The_runspace_is_usable_after_a_stop()
    {
        using var admin = new Admin();
        StopASlowCall(admin);
        ShellResult after = admin.Run("Get-ExchangeAppRoleDefinition");
        Assert.Null(after.Terminating);
        Assert.Equal(14, after.Output.Count);
    }

    /// <summary>Starts Get-ExchangeAppRoleDefinition against a sandbox answering in 20 s, then stops it.</summary>
    private (TimeSpan Took, PSInvocationState State) StopASlowCall(Admin admin)
    {
        admin.Connect(_sandbox);
        _sandbox.SetLatency(TimeSpan.FromSeconds(20));
        try
        {
            using PowerShell ps = admin.Shell.Create("Get-ExchangeAppRoleDefinition");
            IAsyncResult running = ps.BeginInvoke();
            Thread.Sleep(500);
            Assert.Equal(PSInvocationState.Running, ps.InvocationStateInfo.State);
            var clock = Stopwatch.StartNew();
            ps.Stop();
            clock.Stop();
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
            return (clock.Elapsed, ps.InvocationStateInfo.State);
        }
        finally
        {
            _sandbox.SetLatency(TimeSpan.Zero);
        }
    }
}
