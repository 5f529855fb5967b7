using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

namespace ExoKit.Host;

/// <summary>A runspace of the engine, for the help compiler to import the module into.</summary>
public sealed class Shell : IDisposable
{
    private Shell(Runspace runspace)
    {
        Runspace = runspace;
    }

    public Runspace Runspace { get; }

    public static Shell Open()
    {
        InitialSessionState state = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows())
        {
            state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        }
        Runspace runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        return new Shell(runspace);
    }

    /// <summary>
    /// Runs PowerShell text and collects every stream. A terminating error (one a try/catch
    /// would catch, which ends the text there) is captured as <see cref="ShellResult.TerminatingRecord"/>;
    /// non-terminating errors stay in <see cref="ShellResult.Errors"/>.
    /// </summary>
    public ShellResult Run(string script)
    {
        const string caught = "__ShellTerminating";
        Runspace.SessionStateProxy.SetVariable(caught, null);
        using PowerShell ps = Create($"try {{\n{script}\n}} catch {{ $global:{caught} = $_ }}");
        ShellResult result = Collect(ps, () => ps.Invoke());
        return Runspace.SessionStateProxy.GetVariable(caught) is ErrorRecord record
            ? result with { TerminatingRecord = record }
            : result;
    }

    /// <summary>A pipeline for this runspace, for callers that need to start and stop it themselves.</summary>
    public PowerShell Create(string script)
    {
        PowerShell ps = PowerShell.Create();
        ps.Runspace = Runspace;
        ps.AddScript(script);
        return ps;
    }

    /// <summary>Collects the streams of a pipeline that <paramref name="invoke"/> runs to its end.</summary>
    public static ShellResult Collect(PowerShell ps, Func<IEnumerable<PSObject>> invoke)
    {
        var output = new List<PSObject>();
        ErrorRecord? terminating = null;
        try
        {
            output.AddRange(invoke());
        }
        catch (RuntimeException e)
        {
            terminating = e.ErrorRecord;
        }
        return new ShellResult(output, ps.Streams.Error.ToList(), ps.Streams.Verbose.Select(v => v.Message).ToList(),
            ps.Streams.Warning.Select(w => w.Message).ToList(), ps.Streams.Progress.ToList(),
            ps.Streams.Information.Select(i => i.ToString()).ToList(), terminating);
    }

    public void Dispose()
    {
        Runspace.Dispose();
    }
}

/// <summary>Everything one run produced.</summary>
public sealed record ShellResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Verbose,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<ProgressRecord> Progress,
    IReadOnlyList<string> Information,
    ErrorRecord? TerminatingRecord)
{
    /// <summary>The terminating error's exception, when there was one.</summary>
    public Exception? Terminating => TerminatingRecord?.Exception;

    /// <summary>Every stream as text, for "this value appears nowhere" checks.</summary>
    public string AllText()
    {
        var text = new StringBuilder();
        foreach (PSObject o in Output) text.AppendLine(Describe(o));
        foreach (ErrorRecord e in Errors.Concat(TerminatingRecord is null ? [] : [TerminatingRecord]))
        {
            text.AppendLine(e.ToString()).AppendLine(e.FullyQualifiedErrorId).AppendLine(e.Exception.ToString())
                .AppendLine(e.TargetObject?.ToString()).AppendLine(e.ErrorDetails?.Message);
        }
        if (Terminating is not null) text.AppendLine(Terminating.ToString());
        foreach (string line in Verbose.Concat(Warnings).Concat(Information)) text.AppendLine(line);
        foreach (ProgressRecord p in Progress) text.AppendLine($"{p.Activity} {p.StatusDescription} {p.CurrentOperation}");
        return text.ToString();
    }

    private static string Describe(PSObject o)
    {
        var text = new StringBuilder(o.ToString());
        foreach (PSPropertyInfo p in o.Properties)
        {
            try { text.Append(' ').Append(p.Name).Append('=').Append(p.Value); }
            catch (GetValueException) { }
        }
        return text.ToString();
    }
}
