#!fold
