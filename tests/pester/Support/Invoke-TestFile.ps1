<#
.SYNOPSIS
    Runs one Pester file the way `cargo xtask test` and `cargo xtask pester` do: in a pwsh of its
    own, with a JUnit XML result file, ending with one parseable summary line.
.DESCRIPTION
    The last line is `pester: <file>: N passed, N failed, N skipped`; the exit code is 0 only when
    the file ran and no test failed (a file that does not load counts as one failure).
#>
param(
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $Pester,
    [Parameter(Mandatory)] [string] $ResultFile,
    [string] $FullNameFilter
)
Import-Module $Pester -MinimumVersion 6.2.0 -ErrorAction Stop
$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.Output.RenderMode = 'Plaintext'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'JUnitXml'
$configuration.TestResult.OutputPath = $ResultFile
if ($FullNameFilter) { $configuration.Filter.FullName = $FullNameFilter }
$result = Invoke-Pester -Configuration $configuration
# A file that does not load counts as one failure; so does a failed AfterAll once every It passed.
$failed = $result.FailedCount + $result.FailedContainersCount
if ($failed -eq 0 -and $result.Result -ne 'Passed') { $failed = [Math]::Max(1, $result.FailedBlocksCount) }
$name = Split-Path $Path -Leaf
"pester: ${name}: $($result.PassedCount) passed, $failed failed, $($result.SkippedCount) skipped"
exit ([int]($failed -gt 0 -or $result.Result -ne 'Passed'))
