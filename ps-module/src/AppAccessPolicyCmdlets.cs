using System.Collections.Generic;
using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>Get-ExchangeAppAccessPolicy: the tenant's Application Access Policies (an empty list when there are none).</summary>
[Cmdlet(VerbsCommon.Get, "ExchangeAppAccessPolicy")]
[OutputType(typeof(AppAccessPolicy))]
public sealed class GetExchangeAppAccessPolicy : ConnectedCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public string? Identity { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? AppId { get; set; }

    protected override void ProcessRecord()
    {
        var request = PolicyRequests.Make(identity: Identity, appIds: AppId is null ? new() : new() { AppId });
        Run(() => Operation.GetAppAccessPolicies(ConnectionId, request.Wire()));
    }
}

/// <summary>New-ExchangeAppAccessPolicy: restricts or denies apps' Entra mailbox permissions to a mail-enabled security group.</summary>
[Cmdlet(VerbsCommon.New, "ExchangeAppAccessPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(AppAccessPolicy))]
public sealed class NewExchangeAppAccessPolicy : ConnectedCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public string[] AppId { get; set; } = System.Array.Empty<string>();

    [Parameter(Mandatory = true)]
    [Alias("ScopeGroup")]
    public string PolicyScopeGroupId { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateSet("RestrictAccess", "DenyAccess")]
    public string AccessRight { get; set; } = "";

    [Parameter]
    public string? Description { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"app {string.Join(", ", AppId)}", $"{AccessRight} to the members of {PolicyScopeGroupId}"))
        {
            return;
        }
        var request = PolicyRequests.Make(appIds: new List<string>(AppId), scopeGroup: PolicyScopeGroupId, accessRight: AccessRight, description: Description);
        Run(() => Operation.NewAppAccessPolicy(ConnectionId, request.Wire()));
    }
}

/// <summary>Set-ExchangeAppAccessPolicy: changes a policy's description (the only setting Exchange lets change).</summary>
[Cmdlet(VerbsCommon.Set, "ExchangeAppAccessPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
public sealed class SetExchangeAppAccessPolicy : ConnectedCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Identity { get; set; } = "";

    [Parameter(Mandatory = true)]
    [AllowEmptyString]
    public string Description { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Identity, "Set the description"))
        {
            return;
        }
        var request = PolicyRequests.Make(identity: Identity, description: Description);
        Run(() => Operation.SetAppAccessPolicy(ConnectionId, request.Wire()));
    }
}

/// <summary>Remove-ExchangeAppAccessPolicy: deletes a policy.</summary>
[Cmdlet(VerbsCommon.Remove, "ExchangeAppAccessPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
public sealed class RemoveExchangeAppAccessPolicy : ConnectedCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Identity { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Identity, "Remove the Application Access Policy"))
        {
            return;
        }
        var request = PolicyRequests.Make(identity: Identity);
        Run(() => Operation.RemoveAppAccessPolicy(ConnectionId, request.Wire()));
    }
}

/// <summary>Test-ExchangeAppAccessPolicy: Exchange's verdict (Granted or Denied) for an app and each mailbox.</summary>
[Cmdlet(VerbsDiagnostic.Test, "ExchangeAppAccessPolicy")]
[OutputType(typeof(AppAccessPolicyTest))]
public sealed class TestExchangeAppAccessPolicy : ConnectedCmdlet
{
    [Parameter(Mandatory = true)]
    public string AppId { get; set; } = "";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("UserPrincipalName", "PrimarySmtpAddress", "Identity")]
    public string[] Mailbox { get; set; } = System.Array.Empty<string>();

    protected override void ProcessRecord()
    {
        var request = PolicyRequests.Make(appIds: new() { AppId }, mailboxes: new List<string>(Mailbox));
        Run(() => Operation.TestAppAccessPolicy(ConnectionId, request.Wire()));
    }
}

/// <summary>New-ExchangeAppScopeGroup: the mail-enabled security group a policy or scope targets, with its members (idempotent).</summary>
[Cmdlet(VerbsCommon.New, "ExchangeAppScopeGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(AppScopeGroup))]
public sealed class NewExchangeAppScopeGroup : ConnectedCmdlet
{
    private readonly List<string> _members = new();

    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = "";

    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("UserPrincipalName", "PrimarySmtpAddress")]
    public string[]? Member { get; set; }

    protected override void ProcessRecord()
    {
        if (Member is not null)
        {
            _members.AddRange(Member);
        }
    }

    protected override void EndProcessing()
    {
        if (!ShouldProcess(Name, $"Create or complete the mail-enabled security group with {_members.Count} members"))
        {
            return;
        }
        var request = new ScopeGroupRequest { name = Name, members = new List<string>(_members) };
        Run(() => Operation.NewAppScopeGroup(ConnectionId, request.Wire()));
    }
}

/// <summary>The policy cmdlets share one request record; each sets what it uses.</summary>
internal static class PolicyRequests
{
    internal static AccessPolicyRequest Make(string? identity = null, List<string>? appIds = null, string? scopeGroup = null,
        string? accessRight = null, string? description = null, List<string>? mailboxes = null) => new()
    {
        identity = identity,
        app_ids = appIds ?? new(),
        scope_group = scopeGroup,
        access_right = accessRight,
        description = description,
        mailboxes = mailboxes ?? new(),
    };
}
