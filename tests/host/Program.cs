using System;

namespace ExoKit.Host;

/// <summary>
/// <c>exokit-host --compile-help PSD1 HELP.json OUT.xml</c>: writes the module's MAML help (see
/// <see cref="HelpCompiler"/>). The build's only use of the hosted engine; everything that runs
/// PowerShell for an admin (tests, demo, benchmark) runs in the project's pwsh 7.6.10.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["--compile-help", string psd1, string json, string output] => HelpCompiler.Compile(psd1, json, output),
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
        Console.Error.WriteLine("usage: exokit-host --compile-help PSD1 HELP.json OUT.xml");
        return 2;
    }
}
