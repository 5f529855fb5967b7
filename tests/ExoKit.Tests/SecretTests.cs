using System.Linq;
using System.Text;
using ExoKit.Host;
using Xunit;

namespace ExoKit.Tests;

/// <summary>No secret and no token in any stream, host line, error or log.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SecretTests
{
    private readonly SandboxProcess _sandbox;

    public SecretTests(SandboxProcess sandbox)
    {
        _sandbox = sandbox;
    }

    [Fact]
    public void Secrets_and_tokens_appear_nowhere()
    {
        const string wrongSecret = "WrongSecret-4f9c2d7e1b";
        using var admin = new Admin();
        var seen = new StringBuilder();
        string[] session =
        [
            "$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'",
            Admin.ConnectLine(_sandbox, extra: "-Verbose -PassThru"),
            "Get-ExoKitContext | Format-List * | Out-Default",
            "Get-ExchangeAppRoleDefinition -Verbose | Out-Default",
            Admin.ConnectLine(_sandbox, secret: wrongSecret, extra: "-Verbose"),
            "$Error | ForEach-Object { $_ | Format-List * -Force | Out-Default; $_.Exception | Format-List * -Force | Out-Default }",
            "Get-Variable | Where-Object Name -ne secret | Out-String -Width 500",
        ];
        foreach (string line in session)
        {
            seen.AppendLine(admin.Run(line).AllText());
        }
        seen.AppendLine(admin.Shell.Host.Console.AllText());
        seen.AppendLine(string.Join("\n", _sandbox.Requests()));

        string everything = seen.ToString();
        Assert.Contains("Requesting a token", everything);
        Assert.Contains("AADSTS7000215", everything);
        Assert.DoesNotContain(Repo.Secret, everything);
        Assert.DoesNotContain(wrongSecret, everything);
        Assert.DoesNotContain("sbx.", everything);
        Assert.DoesNotContain("Bearer", everything);
    }
}
