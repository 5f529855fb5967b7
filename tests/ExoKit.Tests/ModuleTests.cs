using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>The module as a package: what it exports, its help, its files, importing it twice.</summary>
public sealed class ModuleTests
{
    /// <summary>Every cmdlet class the module's assembly defines, as Verb-Noun.</summary>
    private static string[] CmdletClasses(Admin admin)
    {
        var assembly = (System.Reflection.Assembly)admin.Run("(Get-Module ExoKit).ImplementingAssembly").Output.Single().BaseObject;
        return assembly.GetTypes()
            .Select(t => t.GetCustomAttributes(typeof(System.Management.Automation.CmdletAttribute), false).OfType<System.Management.Automation.CmdletAttribute>().FirstOrDefault())
            .Where(a => a is not null)
            .Select(a => $"{a!.VerbName}-{a.NounName}")
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
    }

    [Fact]
    public void GetCommand_lists_exactly_the_exported_cmdlets()
    {
        using var admin = new Admin();
        ShellResult result = admin.Run("Get-Command -Module ExoKit | ForEach-Object Name");
        Assert.Null(result.Terminating);
        string[] classes = CmdletClasses(admin);
        Assert.Contains("Connect-ExoKit", classes);
        Assert.Contains("Invoke-ContactMirror", classes);
        Assert.Equal(classes, result.Output.Select(o => o.ToString()).OrderBy(n => n, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Every_cmdlet_has_help_with_examples()
    {
        using var admin = new Admin();
        foreach (string name in CmdletClasses(admin))
        {
            ShellResult result = admin.Run($"(Get-Help {name} -Examples).examples.example | ForEach-Object {{ $_.title + ' ' + $_.code }}");
            Assert.Null(result.Terminating);
            Assert.NotEmpty(result.Output);
            Assert.All(result.Output, o => Assert.Contains(name.Split('-')[1], o.ToString()));
            Assert.StartsWith("-------------------------- Example 1", result.Output[0].ToString());
        }
    }

    [Fact]
    public void GetHelp_ConnectExoKit_Examples_shows_the_sandbox_example_and_the_synopsis()
    {
        using var admin = new Admin();
        ShellResult result = admin.Run("Get-Help Connect-ExoKit -Examples | Out-Default");
        Assert.Null(result.Terminating);
        string shown = string.Join("\n", admin.Shell.Host.Console.Lines.Select(l => l.Text));
        Assert.Contains("Signs in to a tenant as an app", shown);
        Assert.Contains("Example 4", shown);
        Assert.Contains("-GraphEndpoint http://127.0", shown);
    }

    [Fact]
    public void Help_syntax_comes_from_the_cmdlet()
    {
        using var admin = new Admin();
        ShellResult result = admin.Run("(Get-Help Connect-ExoKit).syntax.syntaxItem | ForEach-Object { $_.parameter.name -join ',' }");
        Assert.Equal(8, result.Output.Count);
        Assert.Contains(result.Output, o => o.ToString()!.Contains("ClientSecretCredential"));
        Assert.Contains(result.Output, o => o.ToString()!.StartsWith("TenantId,ClientId,ClientSecret"));
        Assert.Contains(result.Output, o => o.ToString()!.StartsWith("TenantId,ClientId,CertificatePath"));
        Assert.Contains(result.Output, o => o.ToString()!.StartsWith("TenantId,ManagedIdentity") || o.ToString()!.StartsWith("TenantId,ClientId,ManagedIdentity"));
        Assert.Contains(result.Output, o => o.ToString()!.StartsWith("TenantId,AccessToken"));
    }

    [Fact]
    public void The_manifest_declares_the_floor_and_explicit_exports()
    {
        using var admin = new Admin();
        ShellResult result = admin.Run("Get-Module ExoKit");
        var module = (PSModuleInfo)result.Output.Single().BaseObject;
        Assert.Equal(new Version(7, 6), module.PowerShellVersion);
        Assert.Equal(["Core"], module.CompatiblePSEditions);
        Assert.Empty(module.ExportedFunctions);
        Assert.Empty(module.ExportedAliases);
    }

    [Fact]
    public void The_module_folder_ships_no_managed_dependency()
    {
        string dir = Path.GetDirectoryName(Repo.ModuleManifest)!;
        string[] assemblies = Directory.GetFiles(dir, "*.dll", SearchOption.TopDirectoryOnly).Select(Path.GetFileName).ToArray()!;
        Assert.Equal(["ExoKit.dll"], assemblies);
        Assert.Single(Directory.GetFiles(Path.Combine(dir, "runtimes"), "*exokit*", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(dir, "en-US", "ExoKit.dll-Help.xml")));
    }

    [Fact]
    public void Importing_into_a_second_runspace_of_the_same_process_works()
    {
        using var first = new Admin();
        using var second = new Admin();
        foreach (Admin admin in new[] { first, second, new Admin() })
        {
            // A call that crosses into the native library: the resolver must answer every runspace.
            ShellResult result = admin.Run("Disconnect-ExoKit -WarningAction SilentlyContinue; Get-ExoKitContext");
            Assert.Equal("ExoKit.NotConnected,ExoKit.GetExoKitContext", result.TerminatingRecord?.FullyQualifiedErrorId);
        }
    }

    [Fact]
    public void Import_Force_in_the_same_runspace_works()
    {
        using var admin = new Admin();
        ShellResult result = admin.Run($"Import-Module '{Repo.ModuleManifest}' -Force; Disconnect-ExoKit -WarningAction SilentlyContinue; Get-Command -Module ExoKit");
        Assert.Null(result.Terminating);
        Assert.Empty(result.Errors);
        Assert.Equal(CmdletClasses(admin).Length, result.Output.Count);
    }
}
