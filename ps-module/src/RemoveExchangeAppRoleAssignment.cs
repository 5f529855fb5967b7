using System.Management.Automation;
using ExoKit.Native;
using ExoKit.Native.Common;

namespace ExoKit;

/// <summary>Remove-ExchangeAppRoleAssignment: removes assignments by id, e.g. piped from Get-.</summary>
[Cmdlet(VerbsCommon.Remove, "ExchangeAppRoleAssignment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
public sealed class RemoveExchangeAppRoleAssignment : ConnectedCmdlet
{
    /// <summary>The assignment's id: given, piped as a string, or the Id property of Get-'s output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public string Id { get; set; } = "";

    /// <summary>Bound from Get-ExchangeAppRoleAssignment's output, to say what is removed.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    public string? Role { get; set; }

    /// <summary>Bound from Get-ExchangeAppRoleAssignment's output, to say what is removed.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    public string? Scope { get; set; }

    protected override void ProcessRecord()
    {
        string what = Role is null ? $"Exchange role assignment {Id}" : $"Exchange role assignment {Id} ('{Role}' on {Scope})";
        if (!ShouldProcess(what, "Remove"))
        {
            return;
        }
        Run(() => Operation.RemoveRoleAssignment(ConnectionId, Id.Utf8()));
    }
}
