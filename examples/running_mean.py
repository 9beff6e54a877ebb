"""Running mean: for a list of numbers, the mean of every prefix.

The author marked the steps with `# Step` comments, so each block is one step.
"""


def running_mean(xs):
    # Step 1: keep a running total
    total = 0
    means = []
    # Step 2: divide the total so far by the count so far
    for count, x in enumerate(xs, start=1):
        total += x
        means.append(total / count)
    # Step 3: return the prefix means
    return means


assert running_mean([]) == []
assert running_mean([2, 4, 6]) == [2.0, 3.0, 4.0]

if __name__ == "__main__":
    print(running_mean([1, 2, 3, 4]))
