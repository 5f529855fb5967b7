using System;
using ExoKit.Host;

namespace ExoKit.Tests;

/// <summary>
/// One admin's session: a fresh runspace on the recording host with ExoKit imported from
/// out/ExoKit, and helpers for the lines an admin types.
/// </summary>
internal sealed class Admin : IDisposable
{
    internal Admin()
    {
        Shell = Shell.Open();
        ShellResult imported = Shell.Run($"Import-Module '{Repo.ModuleManifest}'");
        if (imported.Terminating is not null || imported.Errors.Count > 0)
        {
            throw new InvalidOperationException("Import-Module ExoKit failed: " + imported.AllText());
        }
    }

    internal Shell Shell { get; }

    internal ShellResult Run(string script) => Shell.Run(script);

    /// <summary>The Connect-ExoKit line for the sandbox (the secret built the way a script would).</summary>
    internal static string ConnectLine(SandboxProcess sandbox, string secret = Repo.Secret, string appId = Repo.AppId, string extra = "") =>
        $"$secret = [System.Net.NetworkCredential]::new('', '{secret}').SecurePassword\n" +
        $"Connect-ExoKit -TenantId {Repo.Tenant} -ClientId {appId} -ClientSecret $secret " +
        $"-GraphEndpoint {sandbox.BaseUrl} -AuthorityHost {sandbox.BaseUrl} {extra}";

    internal ShellResult Connect(SandboxProcess sandbox, string extra = "") => Run(ConnectLine(sandbox, extra: extra));

    public void Dispose() => Shell.Dispose();
}
