using System;
using System.IO;

namespace ExoKit.Tests;

/// <summary>Where the assembled module and the sandbox are: from the variables `cargo xtask test` sets, else found from the repository root.</summary>
internal static class Repo
{
    internal static string Root { get; } = FindRoot();

    internal static string ModuleManifest =>
        Environment.GetEnvironmentVariable("EXOKIT_MODULE") is { Length: > 0 } path ? path : Path.Combine(Root, "out", "ExoKit", "ExoKit.psd1");

    internal static string SandboxExe =>
        Environment.GetEnvironmentVariable("EXOKIT_SANDBOX") is { Length: > 0 } path
            ? path
            : Path.Combine(Environment.GetEnvironmentVariable("CARGO_TARGET_DIR") ?? Path.Combine(Root, "target"), "debug",
                OperatingSystem.IsWindows() ? "exokit-sandbox.exe" : "exokit-sandbox");

    /// <summary>The console host (exokit-host.dll), for scripts that must run in a fresh process.</summary>
    internal static string HostDll =>
        Path.Combine(Environment.GetEnvironmentVariable("CARGO_TARGET_DIR") ?? Path.Combine(Root, "target"), "dotnet", "host", "exokit-host.dll");

    /// <summary>The shipped drop-in script, in the assembled module.</summary>
    internal static string DropInScript => Path.Combine(Path.GetDirectoryName(ModuleManifest)!, "scripts", "Automation-ContactsMirroring.ps1");

    /// <summary>The demo seed's tenant and app (a fake tenant's fake secret).</summary>
    internal const string Tenant = "contoso.onmicrosoft.com";
    internal const string AppId = "0f5d6e1a-7b3c-4a2d-9e8f-1a2b3c4d5e6f";
    internal const string Secret = "sandbox-demo-secret-Zq8~vX2pL7wN4kR9";
    internal const string NoRolesAppId = "8c2e4f6a-1b3d-4c5e-8f7a-9b0c1d2e3f4a";
    internal const string NoRolesSecret = "sandbox-noroles-secret-H3j5K7m9";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cargo.toml")) && Directory.Exists(Path.Combine(dir.FullName, "ps-module")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
