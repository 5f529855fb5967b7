using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>
/// Seed 000's first how-to over the Exchange admin API: a scope group with members, Restrict
/// and Deny policies, Exchange's verdicts, and the policy cmdlets' errors. The tenant is
/// tests/sandbox/seeds/app-access.json, a fresh sandbox per test (the tests change it).
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class AppAccessTests
{
    internal const string SupportTool = "1a1a0000-0000-4000-8000-0000000000d4";
    internal const string MailArchiver = "1a1a0000-0000-4000-8000-0000000000a1";
    internal const string Alice = "alice@contoso.onmicrosoft.com";
    internal const string Bob = "bob@contoso.onmicrosoft.com";
    internal const string Carol = "carol@contoso.onmicrosoft.com";

    internal static SandboxProcess Tenant() =>
        new(Path.Combine(Repo.Root, "tests", "sandbox", "seeds", "app-access.json"));

    internal static Admin Connected(SandboxProcess sandbox)
    {
        var admin = new Admin();
        ShellResult connected = admin.Connect(sandbox, $"-ExchangeEndpoint {sandbox.BaseUrl}/outlook.office365.com/");
        Assert.Null(connected.Terminating);
        return admin;
    }

    private static string Verdict(ShellResult result, string mailbox) =>
        (string)result.Output.Single(o => (string)o.Properties["Mailbox"].Value == mailbox).Properties["AccessCheckResult"].Value;

    [Fact]
    public void The_seed_policy_flow_end_to_end_restricts_the_app_to_the_group()
    {
        using SandboxProcess sandbox = Tenant();
        using Admin admin = Connected(sandbox);

        ShellResult before = admin.Run($"Test-ExchangeAppAccessPolicy -AppId {SupportTool} -Mailbox {Alice}, {Bob}");
        Assert.Null(before.Terminating);
        Assert.Equal("Granted", Verdict(before, Bob));

        ShellResult group = admin.Run($"New-ExchangeAppScopeGroup -Name 'Support Scope' -Member {Alice}");
        Assert.Null(group.Terminating);
        PSObject made = group.Output.Single();
        Assert.Equal("ExoKit.AppScopeGroup", made.TypeNames[0]);
        Assert.True((bool)made.Properties["Created"].Value);
        string address = (string)made.Properties["PrimarySmtpAddress"].Value;

        ShellResult policy = admin.Run(
            $"New-ExchangeAppAccessPolicy -AppId {SupportTool} -PolicyScopeGroupId {address} -AccessRight RestrictAccess -Description 'support only'");
        Assert.Null(policy.Terminating);
        dynamic created = policy.Output.Single();
        Assert.Equal("RestrictAccess", (string)created.AccessRight);
        Assert.Equal("Support Scope", (string)created.ScopeName);

        ShellResult after = admin.Run($"'{Alice}', '{Bob}' | Test-ExchangeAppAccessPolicy -AppId {SupportTool}");
        Assert.Equal("Granted", Verdict(after, Alice));
        Assert.Equal("Denied", Verdict(after, Bob));
        Assert.All(after.Output, o => Assert.Equal("ExoKit.AppAccessPolicyTest", o.TypeNames[0]));

        // Idempotent: the same call again adds only what is missing.
        ShellResult again = admin.Run($"New-ExchangeAppScopeGroup -Name 'Support Scope' -Member {Alice}, {Bob}");
        dynamic completed = again.Output.Single();
        Assert.False((bool)completed.Created);
        Assert.Equal(new[] { Bob }, ((System.Collections.Generic.List<string>)completed.Added).ToArray());
        ShellResult widened = admin.Run($"Test-ExchangeAppAccessPolicy -AppId {SupportTool} -Mailbox {Bob}");
        Assert.Equal("Granted", Verdict(widened, Bob));
    }

    [Fact]
    public void A_deny_policy_keeps_the_app_from_the_group_only_and_beats_restrict()
    {
        using SandboxProcess sandbox = Tenant();
        using Admin admin = Connected(sandbox);
        admin.Run($"New-ExchangeAppScopeGroup -Name 'Executives' -Member {Bob}");
        ShellResult deny = admin.Run(
            $"New-ExchangeAppAccessPolicy -AppId {SupportTool} -PolicyScopeGroupId Executives -AccessRight DenyAccess");
        Assert.Null(deny.Terminating);
        ShellResult verdicts = admin.Run($"Test-ExchangeAppAccessPolicy -AppId {SupportTool} -Mailbox {Alice}, {Bob}, {Carol}");
        Assert.Equal("Granted", Verdict(verdicts, Alice));
        Assert.Equal("Denied", Verdict(verdicts, Bob));
        Assert.Equal("Granted", Verdict(verdicts, Carol));

        // Mail Archiver is restricted to Alice's group; a Deny on another group holding Alice wins.
        admin.Run($"New-ExchangeAppScopeGroup -Name 'Legal Hold' -Member {Alice}");
        ShellResult denyAlice = admin.Run($"New-ExchangeAppAccessPolicy -AppId {MailArchiver} -PolicyScopeGroupId 'Legal Hold' -AccessRight DenyAccess");
        Assert.Null(denyAlice.Terminating);
        ShellResult archiver = admin.Run($"Test-ExchangeAppAccessPolicy -AppId {MailArchiver} -Mailbox {Alice}");
        Assert.Equal("Denied", Verdict(archiver, Alice));
    }

    [Fact]
    public void Policies_are_listed_changed_and_removed_through_the_pipeline()
    {
        using SandboxProcess sandbox = Tenant();
        using Admin admin = Connected(sandbox);
        ShellResult listed = admin.Run($"Get-ExchangeAppAccessPolicy -AppId {MailArchiver}");
        dynamic policy = listed.Output.Single();
        Assert.Equal("ExoKit.AppAccessPolicy", listed.Output.Single().TypeNames[0]);
        Assert.Equal("aaaa0000-0000-4000-8000-00000000000a", (string)policy.ScopeId);

        admin.Run($"Get-ExchangeAppAccessPolicy -AppId {MailArchiver} | Set-ExchangeAppAccessPolicy -Description 'reviewed'");
        Assert.Equal("reviewed", (string)((dynamic)admin.Run("Get-ExchangeAppAccessPolicy").Output.Single()).Description);

        ShellResult whatIf = admin.Run("Get-ExchangeAppAccessPolicy | Remove-ExchangeAppAccessPolicy -WhatIf");
        Assert.Null(whatIf.Terminating);
        Assert.Single(admin.Run("Get-ExchangeAppAccessPolicy").Output);

        ShellResult removed = admin.Run("Get-ExchangeAppAccessPolicy | Remove-ExchangeAppAccessPolicy -Confirm:$false");
        Assert.Null(removed.Terminating);
        ShellResult none = admin.Run("Get-ExchangeAppAccessPolicy");
        Assert.Null(none.Terminating);
        Assert.Empty(none.Output);
    }

    [Fact]
    public void Bad_input_gets_one_clear_error_naming_what_and_where()
    {
        using SandboxProcess sandbox = Tenant();
        using Admin admin = Connected(sandbox);
        ShellResult unknown = admin.Run("Get-ExchangeAppAccessPolicy -Identity 'no-such-policy'");
        ErrorRecordAssert.Is(unknown.TerminatingRecord, "ExoKit.InvalidArgument", "InvalidArgument");
        Assert.Contains("no-such-policy", unknown.Terminating!.Message);

        ShellResult distribution = admin.Run($"New-ExchangeAppScopeGroup -Name 'Staff List' -Member {Alice}");
        Assert.NotNull(distribution.Terminating);
        Assert.Contains("MailUniversalDistributionGroup", distribution.Terminating!.Message);

        ShellResult nobody = admin.Run($"Test-ExchangeAppAccessPolicy -AppId {SupportTool} -Mailbox nobody@contoso.onmicrosoft.com, {Alice}");
        Assert.Null(nobody.Terminating);
        Assert.Equal("ExoKit.Service.ManagementObjectNotFoundException", nobody.Errors.Single().FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("Granted", Verdict(nobody, Alice));
    }
}
