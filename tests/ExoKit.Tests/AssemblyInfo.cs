using Xunit;

// The ExoKit connection is process-wide (as Microsoft.Graph's is): tests that connect take turns.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
