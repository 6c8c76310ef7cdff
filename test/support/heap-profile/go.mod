module leakguard.test/heapprofile

go 1.22
