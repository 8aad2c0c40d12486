# mlp_small: 784-32-10 with a sigmoid hidden layer (25,450 parameters).
# The study trained it with SGD lr 0.1 (test 0.867) and with Adam 1e-3 (test 0.876).
let hidden = 32

input 784
dense $hidden sigmoid
dense 10 softmax

train:
  loss crossentropy
  optimizer sgd lr=0.1
  batch 128
  epochs 50
  validation 0.1
