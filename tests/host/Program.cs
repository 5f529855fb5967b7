using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace ExoKit.Host;

/// <summary>
/// <c>exokit-host</c>: PowerShell where there is no pwsh.
/// <code>
/// exokit-host FILE.ps1 [ARGS...]                       run a script, print what a console shows, exit with its code
/// exokit-host -Command TEXT                            run PowerShell text
/// exokit-host --time-import PSD1                       print Import-Module's time in this fresh process (ms)
/// exokit-host --compile-help PSD1 HELP.json OUT.xml    write the module's MAML help
/// </code>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["--time-import", string psd1] => TimeImport(psd1),
                ["--compile-help", string psd1, string json, string output] => HelpCompiler.Compile(psd1, json, output),
                ["-Command", string text] => RunScript(text, isFile: false, []),
                [string file, .. var rest] when !file.StartsWith('-') => RunScript(file, isFile: true, rest),
                _ => Usage(),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"exokit-host: {e.Message}");
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: exokit-host FILE.ps1 [ARGS...] | -Command TEXT | --time-import PSD1 | --compile-help PSD1 HELP.json OUT.xml");
        return 2;
    }

    /// <summary>Runs like <c>pwsh -File</c>: errors are shown where they occur; a terminating error exits 1, else $LASTEXITCODE.</summary>
    private static int RunScript(string script, bool isFile, string[] arguments)
    {
        using Shell shell = Shell.Open(echo: true);
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = shell.Runspace;
        if (isFile)
        {
            ps.AddCommand(System.IO.Path.GetFullPath(script));
            foreach (string argument in arguments) ps.AddArgument(argument);
        }
        else
        {
            ps.AddScript(script);
        }
        ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
        ps.AddCommand("Out-Default");
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; ps.BeginStop(null, null); };
        try
        {
            ps.Invoke();
        }
        catch (PipelineStoppedException)
        {
            return 130;
        }
        catch (RuntimeException e)
        {
            ShowTerminating(shell, e);
            return 1;
        }
        return shell.Host.ExitCode ?? LastExitCode(shell);
    }

    private static void ShowTerminating(Shell shell, RuntimeException e)
    {
        ErrorRecord record = e.ErrorRecord;
        shell.Host.UI.WriteErrorLine(record.ToString());
        shell.Host.UI.WriteErrorLine($"    + CategoryInfo          : {record.CategoryInfo}");
        shell.Host.UI.WriteErrorLine($"    + FullyQualifiedErrorId : {record.FullyQualifiedErrorId}");
    }

    private static int LastExitCode(Shell shell)
    {
        object? value = shell.Runspace.SessionStateProxy.GetVariable("LASTEXITCODE");
        return value is int code ? code : 0;
    }

    private static int TimeImport(string psd1)
    {
        using Shell shell = Shell.Open();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = shell.Runspace;
        ps.AddCommand("Import-Module").AddParameter("Name", System.IO.Path.GetFullPath(psd1));
        var clock = Stopwatch.StartNew();
        ps.Invoke();
        clock.Stop();
        if (ps.HadErrors)
        {
            Console.Error.WriteLine(string.Join(Environment.NewLine, ps.Streams.Error.Select(e => e.ToString())));
            return 1;
        }
        Console.WriteLine(clock.Elapsed.TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    }
}
