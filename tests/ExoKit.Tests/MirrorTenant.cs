using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExoKit.Tests;

/// <summary>
/// A sandbox tenant for the contact mirror: users with contacts, a shared mailbox, optionally a
/// user the app is denied by an Application Access Policy. Its own sandbox process.
/// </summary>
internal sealed class MirrorTenant : IDisposable
{
    internal const string TenantId = "6f1b3c2e-52a4-4d8e-9b1a-0c7e5f2d4a91";
    internal const string HubId = "c0c0c0c0-0000-4000-8000-0000000000cc";
    internal const string HubUpn = "allcontacts@contoso.onmicrosoft.com";

    private readonly string _seedFile;
    private readonly string? _previousStatePath;

    /// <param name="contacts">Each user's contacts as (given name, email) pairs.</param>
    /// <param name="deniedUser">A user (index) the app may not reach, or -1.</param>
    internal MirrorTenant(IReadOnlyList<(string Given, string Email)[]> contacts, bool hubFolder = true, int deniedUser = -1)
    {
        _seedFile = Path.Combine(Path.GetTempPath(), $"exokit-mirror-{Guid.NewGuid():N}.json");
        File.WriteAllText(_seedFile, Seed(contacts, hubFolder, deniedUser).ToJsonString());
        Sandbox = new SandboxProcess(_seedFile);
        // Each tenant its own state file, never the user's real one (the tests take turns, so
        // the process-wide variable is safe to set).
        StatePath = Path.Combine(Path.GetTempPath(), $"exokit-state-{Guid.NewGuid():N}.sqlite");
        _previousStatePath = Environment.GetEnvironmentVariable("AUTOMATION_SYNCCONTACTS_STATE_PATH");
        Environment.SetEnvironmentVariable("AUTOMATION_SYNCCONTACTS_STATE_PATH", StatePath);
    }

    internal SandboxProcess Sandbox { get; }

    /// <summary>This tenant's contact mirror state file (AUTOMATION_SYNCCONTACTS_STATE_PATH while it lives).</summary>
    internal string StatePath { get; }

    /// <summary>Two users' contacts, the tests' usual small tenant.</summary>
    internal static readonly (string, string)[][] TwoUsers =
    {
        new[] { ("Ann", "ann@fabrikam.com"), ("Bo", "bo@fabrikam.com") },
        new[] { ("Cy", "cy@fabrikam.com") },
    };

    /// <summary>An admin session connected to this tenant's sandbox.</summary>
    internal Admin ConnectedAdmin()
    {
        var admin = new Admin();
        ExoKit.Host.ShellResult connected = admin.Connect(Sandbox);
        Xunit.Assert.True(connected.Terminating is null && connected.Errors.Count == 0, connected.AllText());
        return admin;
    }

    internal static string UserId(int n) => $"a0a0a0a0-0000-4000-8000-{n:D12}";

    internal static string Upn(int n) => $"user{n}@contoso.onmicrosoft.com";

    /// <summary>Requests that wrote something ("POST …", "PATCH …"), batch items included.</summary>
    internal List<string> Writes() =>
        Sandbox.Requests().Where(r => (r.StartsWith("POST ") || r.StartsWith("PATCH ") || r.StartsWith("DELETE ")) && !r.Contains("/$batch") && !r.Contains("/oauth2/")).ToList();

    private static JsonObject Seed(IReadOnlyList<(string Given, string Email)[]> contacts, bool hubFolder, int deniedUser)
    {
        var users = new JsonArray();
        for (int n = 0; n < contacts.Count; n++)
        {
            var list = new JsonArray(contacts[n].Select(c => (JsonNode)new JsonObject
            {
                ["givenName"] = c.Given,
                ["surname"] = "Test",
                ["emailAddresses"] = new JsonArray(new JsonObject { ["address"] = c.Email }),
            }).ToArray());
            users.Add(new JsonObject { ["id"] = UserId(n), ["userPrincipalName"] = Upn(n), ["licenses"] = new JsonArray("sku-e3"), ["contacts"] = list });
        }
        var folders = hubFolder ? new JsonArray(new JsonObject { ["displayName"] = "All Contacts" }) : new JsonArray();
        users.Add(new JsonObject { ["id"] = HubId, ["userPrincipalName"] = HubUpn, ["mailbox"] = "shared", ["contactFolders"] = folders });
        var tenant = new JsonObject
        {
            ["id"] = TenantId,
            ["domain"] = Repo.Tenant,
            ["apps"] = new JsonArray(new JsonObject
            {
                ["appId"] = Repo.AppId, ["displayName"] = "ExoKit Automation", ["secrets"] = new JsonArray(Repo.Secret),
                ["roles"] = new JsonArray("User.Read.All", "Contacts.ReadWrite"),
            }),
            ["users"] = users,
        };
        if (deniedUser >= 0)
        {
            tenant["groups"] = new JsonArray(new JsonObject
            {
                ["id"] = "d0d0d0d0-0000-4000-8000-0000000000dd", ["displayName"] = "No ExoKit", ["mail"] = "no-exokit@contoso.onmicrosoft.com",
                ["mailEnabled"] = true, ["securityEnabled"] = true, ["members"] = new JsonArray(Upn(deniedUser)),
            });
            tenant["exchange"] = new JsonObject
            {
                ["applicationAccessPolicies"] = new JsonArray(new JsonObject
                {
                    ["AppId"] = Repo.AppId, ["PolicyScopeGroupId"] = "no-exokit@contoso.onmicrosoft.com", ["AccessRight"] = "DenyAccess",
                }),
            };
        }
        return new JsonObject { ["tenants"] = new JsonArray(tenant) };
    }

    /// <summary>Runs the shipped drop-in script in a fresh host process with exactly these variables.</summary>
    internal ScriptRun RunDropIn(IDictionary<string, string> variables) => RunDropIn(Sandbox, variables, StatePath);

    /// <summary>Runs the shipped drop-in script against <paramref name="sandbox"/> in a fresh host process.</summary>
    internal static ScriptRun RunDropIn(SandboxProcess sandbox, IDictionary<string, string> variables, string? statePath = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Repo.HostDll);
        start.ArgumentList.Add(Repo.DropInScript);
        string[] network = { "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "SSL_CERT_FILE" };
        foreach (string name in start.Environment.Keys
                     .Where(k => k.StartsWith("AUTOMATION_SYNCCONTACTS_") || network.Contains(k, System.StringComparer.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["AUTOMATION_SYNCCONTACTS_GRAPH_ENDPOINT"] = sandbox.BaseUrl;
        start.Environment["AUTOMATION_SYNCCONTACTS_AUTHORITY_HOST"] = sandbox.BaseUrl;
        start.Environment["AUTOMATION_SYNCCONTACTS_STATE_PATH"] = statePath ?? Path.Combine(Path.GetTempPath(), $"exokit-state-{Guid.NewGuid():N}.db");
        foreach ((string name, string value) in variables)
        {
            start.Environment[name] = value;
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the host");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the drop-in script did not finish in 2 minutes");
        }
        return new ScriptRun(process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }

    /// <summary>The single-tenant variables of the original script for this tenant.</summary>
    internal static Dictionary<string, string> SingleTenantVariables() => new()
    {
        ["AUTOMATION_SYNCCONTACTS_TENANT_ID"] = TenantId,
        ["AUTOMATION_SYNCCONTACTS_CLIENT_ID"] = Repo.AppId,
        ["AUTOMATION_SYNCCONTACTS_CLIENT_SECRET"] = Repo.Secret,
        ["AUTOMATION_SYNCCONTACTS_GLOBAL_ADDRESS_BOOK_USER_ID"] = HubUpn,
    };

    public void Dispose()
    {
        Sandbox.Dispose();
        File.Delete(_seedFile);
        Environment.SetEnvironmentVariable("AUTOMATION_SYNCCONTACTS_STATE_PATH", _previousStatePath);
        File.Delete(StatePath);
        File.Delete(StatePath + "-journal");
    }
}

internal sealed record ScriptRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
