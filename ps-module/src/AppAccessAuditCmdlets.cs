using System.Collections.Generic;
using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>Get-ExchangeAppAccessReport: which apps reach which mailboxes, and why (flat rows).</summary>
[Cmdlet(VerbsCommon.Get, "ExchangeAppAccessReport")]
[OutputType(typeof(AppAccessReport))]
public sealed class GetExchangeAppAccessReport : ConnectedCmdlet
{
    [Parameter]
    public string[]? App { get; set; }

    [Parameter]
    [Alias("UserPrincipalName", "PrimarySmtpAddress")]
    public string[]? Mailbox { get; set; }

    protected override void ProcessRecord()
    {
        var request = new AccessReportRequest
        {
            apps = App is null ? new() : new List<string>(App),
            mailboxes = Mailbox is null ? new() : new List<string>(Mailbox),
        };
        Run(() => Operation.GetAppAccessReport(ConnectionId, request.Wire()));
    }
}

/// <summary>ConvertTo-ExchangeAppRoleAssignment: migrates Application Access Policies to RBAC for Applications, Deny included.</summary>
[Cmdlet(VerbsData.ConvertTo, "ExchangeAppRoleAssignment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(AppMigrationStep))]
public sealed class ConvertToExchangeAppRoleAssignment : ConnectedCmdlet
{
    private readonly List<string> _policies = new();

    /// <summary>Policy identities, from Get-ExchangeAppAccessPolicy or EXO's Get-ApplicationAccessPolicy output.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public string[]? Identity { get; set; }

    [Parameter]
    public string[]? Mailbox { get; set; }

    [Parameter]
    public SwitchParameter RemovePolicy { get; set; }

    protected override void ProcessRecord()
    {
        if (Identity is not null)
        {
            _policies.AddRange(Identity);
        }
    }

    protected override void EndProcessing()
    {
        string target = _policies.Count == 0 ? "every Application Access Policy" : $"{_policies.Count} Application Access Policies";
        bool whatIf = !ShouldProcess(target, "Create RBAC for Applications assignments and remove the apps' tenant-wide Entra mailbox permissions");
        var request = new MigrationRequest
        {
            policies = new List<string>(_policies),
            mailboxes = Mailbox is null ? new() : new List<string>(Mailbox),
            what_if = whatIf,
            remove_policy = RemovePolicy.IsPresent,
        };
        Run(() => Operation.ConvertAppAccessPolicies(ConnectionId, request.Wire()));
    }
}
