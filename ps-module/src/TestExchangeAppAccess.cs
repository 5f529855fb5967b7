using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using ExoKit.Native;

namespace ExoKit;

/// <summary>
/// Test-ExchangeAppAccess: for each mailbox × permission, whether an app gets in and why; by
/// Exchange's Test-ServicePrincipalAuthorization, or with -Probe by a real call as the app.
/// Mailboxes bind from the pipeline by UserPrincipalName (Get-MgUser, Get-Mailbox).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ExchangeAppAccess", DefaultParameterSetName = ExchangeSet)]
[OutputType(typeof(ExchangeAppAccess))]
public sealed class TestExchangeAppAccess : ConnectedCmdlet
{
    private const string ExchangeSet = "Exchange";
    private const string ProbeSet = "Probe";

    private readonly List<string> _mailboxes = new();

    /// <summary>The app: display name, appId or service principal object id.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("AppId")]
    public string App { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("UserPrincipalName", "PrimarySmtpAddress")]
    public string[] Mailbox { get; set; } = Array.Empty<string>();

    /// <summary>Permissions to test, e.g. Calendars.Read; default: every one the app's roles grant.</summary>
    [Parameter(ParameterSetName = ExchangeSet)]
    [Parameter(Mandatory = true, ParameterSetName = ProbeSet)]
    public string[] Permission { get; set; } = Array.Empty<string>();

    /// <summary>Sign in as the app and make a read call per mailbox × permission.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProbeSet)]
    public SwitchParameter Probe { get; set; }

    /// <summary>The app's own client secret, for -Probe (e.g. New-ExchangeApp's Secret).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProbeSet)]
    public SecureString? ClientSecret { get; set; }

    protected override void ProcessRecord()
    {
        _mailboxes.AddRange(Mailbox);
    }

    protected override void EndProcessing()
    {
        var request = new AccessRequest
        {
            app = App,
            mailboxes = new List<string>(_mailboxes),
            permissions = new List<string>(Permission),
            probe = Probe.IsPresent,
        };
        using SecretBytes secret = ClientSecret is null ? new SecretBytes(Array.Empty<byte>()) : new SecretBytes(ClientSecret);
        Run(() => Operation.TestAppAccess(ConnectionId, request.Wire(), secret.Slice));
    }
}
