using System;
using System.Management.Automation;
using ExoKit.Native;

namespace ExoKit;

/// <summary>
/// The one pattern every ExoKit cmdlet follows: start a Rust operation, then pull its events on
/// the pipeline thread (the only thread PowerShell lets write) until it is done.
/// <see cref="StopProcessing"/> (Ctrl+C, <c>PowerShell.Stop()</c>) runs on another thread and
/// only cancels.
/// </summary>
public abstract class OperationCmdlet : PSCmdlet
{
    /// <summary>How long one pull waits; bounds how late a stop is noticed on this side.</summary>
    private const uint PollMilliseconds = 100;

    /// <summary>Every information record ExoKit writes carries this tag.</summary>
    private static readonly string[] InformationTags = { "ExoKit" };

    private readonly object _gate = new();
    private Operation? _running;
    private bool _stopping;

    /// <summary>A secret announced by <c>SecretReady</c>, for the next record written.</summary>
    private System.Security.SecureString? _pendingSecret;

    /// <summary>Runs an operation to its end, writing what it produces.</summary>
    protected void Run(Func<Operation> start)
    {
        Operation operation = start();
        lock (_gate)
        {
            _running = operation;
            if (_stopping)
            {
                operation.Cancel();
            }
        }
        try
        {
            Drain(operation);
        }
        finally
        {
            lock (_gate)
            {
                _running = null;
                operation.Dispose();
            }
        }
    }

    protected override void StopProcessing()
    {
        lock (_gate)
        {
            _stopping = true;
            _running?.Cancel();
        }
    }

    private void Drain(Operation operation)
    {
        while (true)
        {
            Event next;
            using (WireOfEvent wire = operation.NextEvent(PollMilliseconds))
            {
                next = wire.Unwire();
            }
            if (next.IsDone)
            {
                return;
            }
            if (next.IsSecretReady)
            {
                _pendingSecret = SecretBytes.Receive(operation, next.AsSecretReady());
                continue;
            }
            Dispatch(next);
        }
    }

    private void Dispatch(Event next)
    {
        if (next.IsIdle)
        {
            return;
        }
        if (next.IsVerbose)
        {
            WriteVerbose(next.AsVerbose());
        }
        else if (next.IsInformation)
        {
            WriteInformation(next.AsInformation(), InformationTags);
        }
        else if (next.IsWarning)
        {
            WriteWarning(next.AsWarning());
        }
        else if (next.IsProgress)
        {
            WriteProgress(Records.ToProgress(next.AsProgress()));
        }
        else if (next.IsRecord)
        {
            PSObject output = Records.ToOutput(next.AsRecord());
            if (_pendingSecret is not null)
            {
                // The secret belongs to this record; it never was a field of it.
                output.Properties.Add(new PSNoteProperty("Secret", _pendingSecret));
                _pendingSecret = null;
            }
            WriteObject(output);
        }
        else if (next.IsError)
        {
            Fail(next.AsError());
        }
    }

    private void Fail(ErrorInfo error)
    {
        if (_stopping && error.ErrorId == "ExoKit.Cancelled")
        {
            // The pipeline is being stopped: PowerShell reports that itself.
            throw new PipelineStoppedException();
        }
        ErrorRecord record = Records.ToErrorRecord(error);
        if (error.Terminating)
        {
            ThrowTerminatingError(record);
        }
        WriteError(record);
    }
}
