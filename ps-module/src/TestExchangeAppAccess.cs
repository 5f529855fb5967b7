using System;
using System.Collections.Generic;
using System.Linq;
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

    /// <summary>The mailboxes to test per app, in the order given (apps may come from the pipeline).</summary>
    private readonly List<(string App, List<string> Mailboxes)> _requests = new();

    /// <summary>The app: display name, appId or service principal object id; from Get-ExchangeAppRoleAssignment too.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("AppId")]
    public string App { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("UserPrincipalName", "PrimarySmtpAddress")]
    public string[] Mailbox { get; set; } = Array.Empty<string>();

    /// <summary>Permissions to test, e.g. Calendars.Read; default: every one the app's roles grant.</summary>
    [Parameter(ParameterSetName = ExchangeSet)]
    [Parameter(Mandatory = true, ParameterSetName = ProbeSet)]
    [ArgumentCompleter(typeof(PermissionCompleter))]
    public string[] Permission { get; set; } = Array.Empty<string>();

    /// <summary>Sign in as the app and make a read call per mailbox × permission.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProbeSet)]
    public SwitchParameter Probe { get; set; }

    /// <summary>The app's own client secret, for -Probe (e.g. New-ExchangeApp's Secret).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ProbeSet)]
    public SecureString? ClientSecret { get; set; }

    protected override void ProcessRecord()
    {
        int index = _requests.FindIndex(r => string.Equals(r.App, App, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            _requests.Add((App, new List<string>()));
            index = _requests.Count - 1;
        }
        foreach (string mailbox in Mailbox)
        {
            if (!_requests[index].Mailboxes.Contains(mailbox, StringComparer.OrdinalIgnoreCase))
            {
                _requests[index].Mailboxes.Add(mailbox);
            }
        }
    }

    /// <summary>One test per app, every mailbox at once (mailboxes may come from the pipeline).</summary>
    protected override void EndProcessing()
    {
        foreach ((string app, List<string> mailboxes) in _requests)
        {
            var request = new AccessRequest
            {
                app = app,
                mailboxes = mailboxes,
                permissions = new List<string>(Permission),
                probe = Probe.IsPresent,
            };
            using SecretBytes secret = ClientSecret is null ? new SecretBytes(Array.Empty<byte>()) : new SecretBytes(ClientSecret);
            Run(() => Operation.TestAppAccess(ConnectionId, request.Wire(), secret.Slice));
        }
    }
}
