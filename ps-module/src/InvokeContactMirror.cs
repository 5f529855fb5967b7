using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;
using ExoKit.Native;

namespace ExoKit;

/// <summary>
/// Invoke-ContactMirror: collects users' contacts into a shared mailbox folder and distributes
/// that folder back to every user; the drop-in replacement for Automation-ContactsMirroring.ps1.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ContactMirror", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ParametersSet)]
[OutputType(typeof(MirrorSummary), typeof(MirrorAction))]
// Without -PassThru and -WhatIf: one MirrorSummary per tenant and step. With either: one
// MirrorAction per contact action only; the summaries then go to the information stream
// (tag MirrorSummary), so one stream holds one type and Group-Object Action has no empty group.
public sealed class InvokeContactMirror : ConnectedCmdlet
{
    private const string ParametersSet = "Parameters";
    private const string EnvironmentSet = "FromEnvironment";

    /// <summary>The variables -FromEnvironment reads: the original script's (with the cloud and CA ones).</summary>
    private const string VariablePrefix = "AUTOMATION_SYNCCONTACTS_";

    /// <summary>What a tenant with UseManagedIdentity reads from the host.</summary>
    private static readonly string[] IdentityVariables = { "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_POD_IDENTITY_AUTHORITY_HOST" };

    private readonly List<string> _users = new();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParametersSet)]
    [Alias("GlobalAddressBookUserId")]
    public string SharedMailbox { get; set; } = "";

    [Parameter(ParameterSetName = ParametersSet)]
    public string FolderName { get; set; } = "All Contacts";

    /// <summary>Users by UPN or id; from the pipeline too (objects with UserPrincipalName or Id).</summary>
    [Parameter(ParameterSetName = ParametersSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("UserPrincipalName", "Id")]
    public string[]? User { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = EnvironmentSet)]
    public SwitchParameter FromEnvironment { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The state file (delta links, snapshots, tombstones); else AUTOMATION_SYNCCONTACTS_STATE_PATH, else the user's state directory.</summary>
    [Parameter]
    public string? StatePath { get; set; }

    /// <summary>Deletes what the hub and the contacts' creators deleted (else AUTOMATION_SYNCCONTACTS_PROPAGATE_DELETES with -FromEnvironment).</summary>
    [Parameter]
    public SwitchParameter PropagateDeletes { get; set; }

    /// <summary>More deletes than this deletes nothing (default 10; else AUTOMATION_SYNCCONTACTS_MAX_DELETES with -FromEnvironment).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MaxDeletes { get; set; }

    /// <summary>Plans every pair even when the state's last run settled (else AUTOMATION_SYNCCONTACTS_FULL with -FromEnvironment).</summary>
    [Parameter]
    public SwitchParameter Full { get; set; }

    /// <summary>Deletes the later of two copies the mirror made with one SyncId (else AUTOMATION_SYNCCONTACTS_REPAIR_DUPLICATES with -FromEnvironment).</summary>
    [Parameter]
    public SwitchParameter RepairDuplicates { get; set; }

    protected override void ProcessRecord()
    {
        if (User is not null)
        {
            _users.AddRange(User);
        }
    }

    /// <summary>Summary tags on the information stream (-PassThru, -WhatIf).</summary>
    private static readonly string[] SummaryTags = { "ExoKit", "MirrorSummary" };

    /// <summary>Set by EndProcessing: the output is the action rows, not the summaries.</summary>
    private bool _actionsOut;

    /// <summary>With -PassThru or -WhatIf a summary goes to the information stream, not the output.</summary>
    protected override PSObject? OnRecord(PSObject output)
    {
        if (_actionsOut && output.BaseObject is MirrorSummary)
        {
            WriteInformation(output, SummaryTags);
            return null;
        }
        return output;
    }

    protected override void EndProcessing()
    {
        string target = FromEnvironment.IsPresent ? "the tenants in AUTOMATION_SYNCCONTACTS_* variables" : $"shared mailbox {SharedMailbox}, folder '{FolderName}'";
        bool whatIf = !ShouldProcess(target, "Mirror contacts between users and the shared folder");
        _actionsOut = whatIf || PassThru.IsPresent;
        var request = new MirrorRequest
        {
            shared_mailbox = FromEnvironment.IsPresent ? null : SharedMailbox,
            folder_name = FromEnvironment.IsPresent ? null : FolderName,
            users = new List<string>(_users),
            what_if = whatIf,
            pass_thru = PassThru.IsPresent,
            from_environment = FromEnvironment.IsPresent,
            state_path = StateLocation.Resolve(this, StatePath),
            propagate_deletes = PropagateDeletes.IsPresent,
            max_deletes = MaxDeletes ?? -1,
            full = Full.IsPresent,
            repair_duplicates = RepairDuplicates.IsPresent,
        };
        // SecretBytes zeroes the variables (they may hold client secrets) when disposed.
        using var variables = new SecretBytes(CollectVariables(FromEnvironment.IsPresent));
        Run(() => Operation.InvokeContactMirror(ConnectionId, request.Wire(), variables.Slice));
    }

    /// <summary>
    /// The process environment as .NET sees it, as JSON. .NET keeps its own copy on Unix, so
    /// <c>$env:X = ...</c> in the session is invisible to native code: the variables are passed.
    /// Always the state location ones; with -FromEnvironment every AUTOMATION_SYNCCONTACTS_* and
    /// network one too. They may hold client secrets: the caller zeroes the bytes.
    /// </summary>
    private static byte[] CollectVariables(bool fromEnvironment)
    {
        var selected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            string name = (string)entry.Key;
            if (StateLocation.IsLocationVariable(name) || (fromEnvironment && (name.StartsWith(VariablePrefix, StringComparison.OrdinalIgnoreCase)
                || NetworkVariables.IsNetworkVariable(name) || Array.Exists(IdentityVariables, v => string.Equals(v, name, StringComparison.OrdinalIgnoreCase)))))
            {
                selected[name] = entry.Value as string ?? "";
            }
        }
        return JsonSerializer.SerializeToUtf8Bytes(selected);
    }
}
