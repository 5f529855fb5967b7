using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>Get-ExchangeAppRoleAssignment: the apps' Exchange role assignments, with names.</summary>
[Cmdlet(VerbsCommon.Get, "ExchangeAppRoleAssignment")]
[OutputType(typeof(ExchangeAppRoleAssignment))]
public sealed class GetExchangeAppRoleAssignment : ConnectedCmdlet
{
    /// <summary>Only this app: display name, appId or service principal object id.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("AppId")]
    public string? App { get; set; }

    /// <summary>Only this role: "Application Mail.Read", "Mail.Read" or its id.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RoleCompleter))]
    public string? Role { get; set; }

    /// <summary>Only the assignment with this id.</summary>
    [Parameter]
    public string? Id { get; set; }

    protected override void ProcessRecord()
    {
        var filter = new AssignmentFilter { id = Id, app = App, role = Role };
        Run(() => Operation.GetRoleAssignments(ConnectionId, filter.Wire()));
    }
}
