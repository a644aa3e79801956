(list ,x)
