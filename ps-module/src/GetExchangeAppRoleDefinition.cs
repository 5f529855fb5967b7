using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>Get-ExchangeAppRoleDefinition: Exchange role definitions (Graph beta roleManagement/exchange).</summary>
[Cmdlet(VerbsCommon.Get, "ExchangeAppRoleDefinition")]
[OutputType(typeof(RoleDefinition))]
public sealed class GetExchangeAppRoleDefinition : ConnectedCmdlet
{
    /// <summary>An OData filter, e.g. <c>displayName eq 'Application Mail.Read'</c>.</summary>
    [Parameter(Position = 0)]
    public string? Filter { get; set; }

    protected override void ProcessRecord()
    {
        var query = new RoleDefinitionQuery { filter = Filter };
        Run(() => Operation.GetRoleDefinitions(ConnectionId, query.Wire()));
    }
}
