package wire

// SubjectIndex exposes subjectIndex to the package's external tests.
var SubjectIndex = subjectIndex
